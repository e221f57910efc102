//! The customer's web console, served by `serve` on the HTTP port at
//! `/console/`: a small hand-written front end (HTML, CSS and vanilla ES
//! modules, no build step and no Node at run time) compiled into the
//! binary with `include_str!`.
//!
//! The pages call the ledger's own REST API from the browser with the
//! signed-in caller's bearer token (kept in `sessionStorage`), so every
//! action goes through the same commands, roles and error table as any
//! other client. This crate holds only the static files and their policy:
//! it knows nothing of the ledger nor of HTTP (`ledger-server` serves
//! them, `rest::console`), and its routes read no data, so the server lets
//! them through without credentials ([`is_console_path`]).
//!
//! Every answer carries a strict Content-Security-Policy ([`CSP`]): scripts,
//! styles and connections only from the ledger's own origin, no inline
//! code, no framing by others; PDFs fetched by the pages are shown from
//! `blob:` URLs.

/// Where the console is mounted.
pub const PREFIX: &str = "/console";

/// The Content-Security-Policy of every console answer.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data: blob:; connect-src 'self'; frame-src blob:; object-src blob:; \
base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// One embedded file: its name under `/console/`, content type and text.
#[derive(Clone, Copy, Debug)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static str,
}

/// The content type of the page (and of the server's "not found" page).
pub const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

macro_rules! assets {
    ($($name:literal => $ty:ident),* $(,)?) => {
        /// Every file the console serves (the page is `index.html`).
        pub const ASSETS: &[Asset] = &[
            $(Asset { name: $name, content_type: $ty, body: include_str!(concat!("../assets/", $name)) }),*
        ];
    };
}

assets! {
    "index.html" => HTML,
    "console.css" => CSS,
    "js/app.js" => JS,
    "js/api.js" => JS,
    "js/ui.js" => JS,
    "js/time.js" => JS,
    "js/signin.js" => JS,
    "js/orders.js" => JS,
    "js/details.js" => JS,
    "js/contracts.js" => JS,
    "js/apply.js" => JS,
    "js/account.js" => JS,
}

/// The asset named `name` (relative to `/console/`), if there is one.
pub fn asset(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// Whether `path` is served by the console (and so needs no credentials).
pub fn is_console_path(path: &str) -> bool {
    path == PREFIX
        || path
            .strip_prefix(PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_paths_are_the_prefix_and_below_only() {
        assert!(is_console_path("/console"));
        assert!(is_console_path("/console/"));
        assert!(is_console_path("/console/js/app.js"));
        assert!(!is_console_path("/consoles"));
        assert!(!is_console_path("/console.csv"));
        assert!(!is_console_path("/v1/customers/x/orders"));
    }

    #[test]
    fn every_asset_has_a_known_type_and_the_page_names_its_script() {
        for a in ASSETS {
            let ext = a.name.rsplit('.').next().unwrap_or("");
            let want = match ext {
                "html" => HTML,
                "css" => CSS,
                "js" => JS,
                other => panic!("{} has no type for .{other}", a.name),
            };
            assert_eq!(a.content_type, want, "{}", a.name);
            assert!(!a.body.is_empty(), "{} is empty", a.name);
        }
        let page = asset("index.html").expect("the page").body;
        assert!(page.contains("js/app.js"));
        assert!(page.contains("console.css"));
        assert!(
            !page.contains("<script>"),
            "no inline script: the CSP forbids it"
        );
    }

    #[test]
    fn the_pages_call_the_contract_document_routes() {
        let contracts = asset("js/contracts.js").expect("contracts page").body;
        assert!(contracts.contains("contractPath(c.contract_no, '/preview.pdf')"));
        assert!(contracts.contains("contractPath(c.contract_no, '/document.pdf')"));
        let api = asset("js/api.js").expect("api").body;
        assert!(api.contains("/v1/customers/${encodeURIComponent("));
        for a in ASSETS {
            assert!(
                !a.body.contains(" style="),
                "{}: inline style, refused by the CSP",
                a.name
            );
            assert!(
                !a.body.contains("eval("),
                "{}: eval, refused by the CSP",
                a.name
            );
        }
    }

    #[test]
    fn every_module_imported_is_served() {
        for a in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
            // `import { a } from './x.js';` on one line, or a list over
            // several lines closed by `} from './x.js';`.
            let imports = a.body.lines().filter(|l| {
                (l.starts_with("import ") || l.starts_with("} from ")) && l.contains("from ")
            });
            let mut seen = 0;
            for line in imports {
                seen += 1;
                let from = line.rsplit("from ").next().unwrap_or("");
                let target = from.trim().trim_end_matches(';').trim_matches(['\'', '"']);
                let target = target.strip_prefix("./").unwrap_or(target);
                assert!(
                    asset(&format!("js/{target}")).is_some(),
                    "{} imports {target}, which is not served",
                    a.name
                );
            }
            let statements = a.body.lines().filter(|l| l.starts_with("import ")).count();
            assert_eq!(
                seen, statements,
                "{}: every import names its module",
                a.name
            );
        }
    }
}
