//! The embedded CJK font: glyph lookup, text encoding (Identity-H, two bytes
//! per glyph of the subset), and the subset written into the PDF.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

use crate::DocumentError;

/// WenQuanYi Micro Hei (Apache-2.0), cut once to Latin, punctuation, symbols,
/// kana and all CJK unified ideographs; see `fonts/README.md`.
static FONT_BYTES: &[u8] = include_bytes!("../fonts/wqy-microhei-cjk.ttf");

/// The PostScript name written (with a subset tag) into the PDF.
const BASE_NAME: &str = "WenQuanYiMicroHei";

/// The resource name of the font on every page.
pub(crate) const FONT_RESOURCE: Name<'static> = Name(b"F1");

/// The font and the glyphs one document uses, in order of first use (so the
/// subset and its glyph ids are a function of the document's text alone).
pub(crate) struct Font {
    face: Face<'static>,
    remapper: GlyphRemapper,
    /// New (subset) glyph id -> the character it was first used for.
    to_unicode: BTreeMap<u16, char>,
    /// New glyph id -> advance in font units.
    advances: BTreeMap<u16, u16>,
}

impl Font {
    pub(crate) fn load() -> Result<Self, DocumentError> {
        let face = Face::parse(FONT_BYTES, 0)
            .map_err(|e| DocumentError::Font(format!("cannot parse the embedded font: {e}")))?;
        Ok(Font {
            face,
            remapper: GlyphRemapper::new(),
            to_unicode: BTreeMap::new(),
            advances: BTreeMap::new(),
        })
    }

    pub(crate) fn units_per_em(&self) -> u16 {
        self.face.units_per_em()
    }

    /// Control characters are set as spaces; everything else must have a glyph.
    fn glyph(&self, ch: char, field: &'static str) -> Result<GlyphId, DocumentError> {
        let ch = if ch.is_control() { ' ' } else { ch };
        self.face
            .glyph_index(ch)
            .ok_or(DocumentError::MissingGlyph {
                ch,
                code: u32::from(ch),
                field,
            })
    }

    /// The advance of one character in font units (0 for an unknown one,
    /// which [`Font::encode`] refuses).
    pub(crate) fn advance(&self, ch: char) -> u32 {
        let ch = if ch.is_control() { ' ' } else { ch };
        self.face
            .glyph_index(ch)
            .and_then(|g| self.face.glyph_hor_advance(g))
            .map_or(0, u32::from)
    }

    /// The advance of a string in font units.
    pub(crate) fn advance_str(&self, text: &str) -> u32 {
        text.chars().map(|c| self.advance(c)).sum()
    }

    /// Encodes text as big-endian subset glyph ids, adding its glyphs to the
    /// subset.
    pub(crate) fn encode(
        &mut self,
        text: &str,
        field: &'static str,
    ) -> Result<Vec<u8>, DocumentError> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for ch in text.chars() {
            let old = self.glyph(ch, field)?;
            let new = self.remapper.remap(old.0);
            let shown = if ch.is_control() { ' ' } else { ch };
            self.to_unicode.entry(new).or_insert(shown);
            self.advances
                .entry(new)
                .or_insert_with(|| self.face.glyph_hor_advance(old).unwrap_or(0));
            out.extend_from_slice(&new.to_be_bytes());
        }
        Ok(out)
    }

    /// A subset tag ("ABCDEF+") derived from the glyphs used.
    fn subset_tag(&self) -> String {
        let mut h: u32 = 0x811c_9dc5;
        for g in self.remapper.remapped_gids() {
            for b in g.to_be_bytes() {
                h ^= u32::from(b);
                h = h.wrapping_mul(0x0100_0193);
            }
        }
        (0..6)
            .map(|i| {
                let v = (h >> (i * 5)) % 26;
                char::from(b'A' + u8::try_from(v).unwrap_or(0))
            })
            .collect()
    }

    /// Writes the Type0 font, its CIDFontType2 descendant, descriptor,
    /// ToUnicode map and the subset font program.
    pub(crate) fn write(
        &self,
        pdf: &mut Pdf,
        next: &mut impl FnMut() -> Ref,
    ) -> Result<Ref, DocumentError> {
        let type0 = next();
        let cid = next();
        let descriptor = next();
        let cmap = next();
        let file = next();

        let name = format!("{}+{}", self.subset_tag(), BASE_NAME);
        let upem = u32::from(self.units_per_em().max(1));
        let scale = |v: i32| -> f32 { (v * 1000 / i32::try_from(upem).unwrap_or(1000)) as f32 };

        pdf.type0_font(type0)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);

        let info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(Name(name.as_bytes()))
            .system_info(info)
            .font_descriptor(descriptor)
            .default_width(1000.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        {
            let mut widths = cid_font.widths();
            for (&gid, &adv) in &self.advances {
                widths.consecutive(gid, [scale(i32::from(adv))]);
            }
        }
        cid_font.finish();

        let bbox = self.face.global_bounding_box();
        let ascent = scale(i32::from(self.face.ascender()));
        let descent = scale(i32::from(self.face.descender()));
        let cap = scale(i32::from(
            self.face.capital_height().unwrap_or(self.face.ascender()),
        ));
        pdf.font_descriptor(descriptor)
            .name(Name(name.as_bytes()))
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                scale(i32::from(bbox.x_min)),
                scale(i32::from(bbox.y_min)),
                scale(i32::from(bbox.x_max)),
                scale(i32::from(bbox.y_max)),
            ))
            .italic_angle(0.0)
            .ascent(ascent)
            .descent(descent)
            .cap_height(cap)
            .stem_v(80.0)
            .font_file2(file);

        let mut unicode = UnicodeCmap::new(Name(b"Custom"), info);
        for (&gid, &ch) in &self.to_unicode {
            unicode.pair(gid, ch);
        }
        let unicode = unicode.finish();
        pdf.cmap(cmap, &unicode)
            .name(Name(b"Custom"))
            .system_info(info);

        let subset = subsetter::subset(FONT_BYTES, 0, &self.remapper)
            .map_err(|e| DocumentError::Font(format!("cannot subset the embedded font: {e:?}")))?;
        let packed = crate::pdf::deflate(&subset);
        let len = i32::try_from(subset.len())
            .map_err(|_| DocumentError::Font("the font subset is too large".into()))?;
        pdf.stream(file, &packed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), len);
        Ok(type0)
    }
}
