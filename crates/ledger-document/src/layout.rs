//! Drawing primitives: pages, text runs, wrapping, lines, the watermark and
//! the seal. Geometry is in PDF points (f32); money never gets here as a
//! number, only as text that `pdf.rs` formatted from `rust_decimal`.
#![allow(
    clippy::float_arithmetic,
    reason = "page geometry in points; amounts are rust_decimal text by now"
)]

use pdf_writer::types::TextRenderingMode;
use pdf_writer::{Content, Str};

use crate::font::{Font, FONT_RESOURCE};
use crate::DocumentError;

pub(crate) const PAGE_W: f32 = 595.0;
pub(crate) const PAGE_H: f32 = 842.0;
pub(crate) const MARGIN: f32 = 40.0;
pub(crate) const TOP: f32 = PAGE_H - 48.0;
pub(crate) const BOTTOM: f32 = 56.0;

/// A colour as RGB in 0..1.
#[derive(Clone, Copy)]
pub(crate) struct Rgb(pub f32, pub f32, pub f32);

pub(crate) const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);
pub(crate) const GREY: Rgb = Rgb(0.35, 0.35, 0.35);
pub(crate) const SEAL_RED: Rgb = Rgb(0.85, 0.1, 0.1);

/// How a run of text is set.
#[derive(Clone, Copy)]
pub(crate) struct Style {
    pub size: f32,
    pub bold: bool,
    pub color: Rgb,
}

impl Style {
    pub(crate) const fn plain(size: f32) -> Style {
        Style {
            size,
            bold: false,
            color: BLACK,
        }
    }
    pub(crate) const fn bold(size: f32) -> Style {
        Style {
            size,
            bold: true,
            color: BLACK,
        }
    }
    pub(crate) const fn grey(size: f32) -> Style {
        Style {
            size,
            bold: false,
            color: GREY,
        }
    }
}

/// The pages of one document being drawn, top to bottom.
pub(crate) struct Canvas<'f> {
    pub(crate) font: &'f mut Font,
    pub(crate) pages: Vec<Content>,
    /// The baseline of the next line on the current page.
    pub(crate) y: f32,
    /// The page that drawing goes to (the last one, unless a footer pass
    /// selects another).
    current: usize,
    watermark: Option<(String, Rgb)>,
}

impl<'f> Canvas<'f> {
    pub(crate) fn new(
        font: &'f mut Font,
        watermark: Option<(String, Rgb)>,
    ) -> Result<Self, DocumentError> {
        let mut canvas = Canvas {
            font,
            pages: Vec::new(),
            y: TOP,
            current: 0,
            watermark,
        };
        canvas.new_page()?;
        Ok(canvas)
    }

    /// Starts a page; the watermark goes first, under everything else.
    pub(crate) fn new_page(&mut self) -> Result<(), DocumentError> {
        self.pages.push(Content::new());
        self.current = self.pages.len() - 1;
        self.y = TOP;
        if let Some((text, color)) = self.watermark.clone() {
            self.draw_watermark(&text, color)?;
        }
        Ok(())
    }

    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let i = self.current.min(self.pages.len() - 1);
        &mut self.pages[i]
    }

    /// Sends further drawing to page `i` (0-based), for footers.
    pub(crate) fn select_page(&mut self, i: usize) {
        self.current = i;
    }

    /// Width of a text run in points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let upem = f32::from(self.font.units_per_em().max(1));
        self.font.advance_str(text) as f32 * size / upem
    }

    /// Makes room for `height` points, starting a new page when needed.
    /// Returns true when a page was started.
    pub(crate) fn ensure(&mut self, height: f32) -> Result<bool, DocumentError> {
        if self.y - height < BOTTOM {
            self.new_page()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Sets one run of text with its baseline starting at (x, y).
    pub(crate) fn text_at(
        &mut self,
        x: f32,
        y: f32,
        text: &str,
        style: Style,
        field: &'static str,
    ) -> Result<(), DocumentError> {
        if text.is_empty() {
            return Ok(());
        }
        let glyphs = self.font.encode(text, field)?;
        let Rgb(r, g, b) = style.color;
        let page = self.page();
        page.save_state();
        page.set_fill_rgb(r, g, b);
        if style.bold {
            page.set_stroke_rgb(r, g, b);
            page.set_line_width(style.size / 30.0);
        }
        page.begin_text();
        page.set_font(FONT_RESOURCE, style.size);
        if style.bold {
            page.set_text_rendering_mode(TextRenderingMode::FillStroke);
        }
        page.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, y]);
        page.show(Str(&glyphs));
        page.end_text();
        page.restore_state();
        Ok(())
    }

    /// Sets text rotated by `angle` radians about its start point.
    pub(crate) fn text_rotated(
        &mut self,
        x: f32,
        y: f32,
        angle: f32,
        text: &str,
        style: Style,
        field: &'static str,
    ) -> Result<(), DocumentError> {
        let glyphs = self.font.encode(text, field)?;
        let (s, c) = angle.sin_cos();
        let Rgb(r, g, b) = style.color;
        let page = self.page();
        page.save_state();
        page.set_fill_rgb(r, g, b);
        page.begin_text();
        page.set_font(FONT_RESOURCE, style.size);
        page.set_text_matrix([c, s, -s, c, x, y]);
        page.show(Str(&glyphs));
        page.end_text();
        page.restore_state();
        Ok(())
    }

    /// Splits text into lines no wider than `max` points: at newlines, then
    /// at the last space that fits, else between any two characters (which
    /// is how CJK text breaks anyway).
    pub(crate) fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for ch in para.chars() {
                let mut candidate = line.clone();
                candidate.push(ch);
                if !line.is_empty() && self.width(&candidate, size) > max {
                    match line.rfind(' ') {
                        Some(pos) if pos > 0 && ch != ' ' => {
                            let rest = line[pos + 1..].to_string();
                            line.truncate(pos);
                            lines.push(std::mem::take(&mut line));
                            line = rest;
                        }
                        _ => lines.push(std::mem::take(&mut line)),
                    }
                    if ch == ' ' && line.is_empty() {
                        continue;
                    }
                }
                line.push(ch);
            }
            lines.push(line);
        }
        lines
    }

    /// Sets wrapped text from the current line down, breaking pages as
    /// needed, and moves the cursor below it.
    pub(crate) fn paragraph(
        &mut self,
        x: f32,
        max: f32,
        text: &str,
        style: Style,
        field: &'static str,
    ) -> Result<(), DocumentError> {
        let leading = style.size * 1.45;
        for line in self.wrap(text, style.size, max) {
            self.ensure(leading)?;
            let y = self.y - style.size;
            self.text_at(x, y, &line, style, field)?;
            self.y -= leading;
        }
        Ok(())
    }

    /// A "label: value" line whose value wraps under itself.
    pub(crate) fn field(
        &mut self,
        label: &str,
        value: &str,
        size: f32,
        field: &'static str,
    ) -> Result<(), DocumentError> {
        let label_w = 150.0;
        let leading = size * 1.45;
        let lines = self.wrap(value, size, PAGE_W - 2.0 * MARGIN - label_w);
        self.ensure(leading)?;
        let y = self.y - size;
        self.text_at(MARGIN, y, label, Style::grey(size), "label")?;
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                self.ensure(leading)?;
            }
            let y = self.y - size;
            self.text_at(MARGIN + label_w, y, line, Style::plain(size), field)?;
            self.y -= leading;
        }
        Ok(())
    }

    pub(crate) fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32, color: Rgb) {
        let Rgb(r, g, b) = color;
        let page = self.page();
        page.save_state();
        page.set_stroke_rgb(r, g, b);
        page.set_line_width(width);
        page.move_to(x1, y1);
        page.line_to(x2, y2);
        page.stroke();
        page.restore_state();
    }

    pub(crate) fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        let Rgb(r, g, b) = color;
        let page = self.page();
        page.save_state();
        page.set_fill_rgb(r, g, b);
        page.rect(x, y, w, h);
        page.fill_nonzero();
        page.restore_state();
    }

    /// The status text across the page, as large as fits the diagonal.
    fn draw_watermark(&mut self, text: &str, color: Rgb) -> Result<(), DocumentError> {
        let angle = 35.0_f32.to_radians();
        let at_one = self.width(text, 1.0).max(1.0);
        let size = (600.0 / at_one).min(110.0);
        let w = at_one * size;
        let (s, c) = angle.sin_cos();
        // Centre the run's middle (half a cap height above its baseline) on
        // the page's centre.
        let half_h = size * 0.35;
        let x = PAGE_W / 2.0 - c * w / 2.0 + s * half_h;
        let y = PAGE_H / 2.0 - s * w / 2.0 - c * half_h;
        self.text_rotated(
            x,
            y,
            angle,
            text,
            Style {
                size,
                bold: false,
                color,
            },
            "watermark",
        )
    }

    /// A round seal: a red double ring, the provider's name along the upper
    /// arc, a star in the middle and "合同专用章" (contract seal) under it,
    /// all drawn as vector paths and embedded-font text.
    pub(crate) fn seal(
        &mut self,
        cx: f32,
        cy: f32,
        radius: f32,
        name: &str,
    ) -> Result<(), DocumentError> {
        let Rgb(r, g, b) = SEAL_RED;
        {
            let page = self.page();
            page.save_state();
            page.set_stroke_rgb(r, g, b);
            page.set_fill_rgb(r, g, b);
            page.set_line_width(2.4);
            circle(page, cx, cy, radius);
            page.stroke();
            page.set_line_width(0.6);
            circle(page, cx, cy, radius - 3.5);
            page.stroke();
            star(page, cx, cy + radius * 0.02, radius * 0.26);
            page.fill_nonzero();
            page.restore_state();
        }
        let chars: Vec<char> = name.chars().collect();
        let n = chars.len().max(1) as f32;
        let span = 235.0_f32.to_radians().min(n * 0.5);
        let text_r = radius - 7.0;
        let size = ((text_r - 10.0) * span / n * 0.95).clamp(5.0, 15.0);
        let base_r = text_r - size * 0.85;
        let start = std::f32::consts::FRAC_PI_2 + span / 2.0;
        let step = if chars.len() > 1 {
            span / (n - 1.0)
        } else {
            0.0
        };
        let red = Style {
            size,
            bold: false,
            color: SEAL_RED,
        };
        for (i, ch) in chars.iter().enumerate() {
            let theta = start - step * i as f32;
            let rot = theta - std::f32::consts::FRAC_PI_2;
            let s = ch.to_string();
            let w = self.width(&s, size);
            let (sr, cr) = rot.sin_cos();
            let x = cx + base_r * theta.cos() - cr * w / 2.0;
            let y = cy + base_r * theta.sin() - sr * w / 2.0;
            self.text_rotated(x, y, rot, &s, red, "party b (seal)")?;
        }
        let label = "合同专用章";
        let lsize = radius * 0.17;
        let lw = self.width(label, lsize);
        self.text_at(
            cx - lw / 2.0,
            cy - radius * 0.55,
            label,
            Style {
                size: lsize,
                bold: false,
                color: SEAL_RED,
            },
            "seal",
        )
    }
}

/// A circle as four Bézier quarters.
fn circle(page: &mut Content, cx: f32, cy: f32, r: f32) {
    let k = 0.552_284_8 * r;
    page.move_to(cx + r, cy);
    page.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    page.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    page.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    page.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    page.close_path();
}

/// A five-pointed star, point up.
fn star(page: &mut Content, cx: f32, cy: f32, r: f32) {
    let inner = r * 0.382;
    for i in 0..10 {
        let rr = if i % 2 == 0 { r } else { inner };
        let a = std::f32::consts::FRAC_PI_2 + std::f32::consts::PI * i as f32 / 5.0;
        let (x, y) = (cx + rr * a.cos(), cy + rr * a.sin());
        if i == 0 {
            page.move_to(x, y);
        } else {
            page.line_to(x, y);
        }
    }
    page.close_path();
}
