//! The public pages, readable without an account: the list of
//! administrations, each one's citizen-facing policy and its official
//! accounts. Templates live in `templates/` and are compiled in by askama.
//!
//! The policy page follows `piazza_policy::render`'s public document section
//! by section and keeps its anchors (`#clausola-3`, `#contatti`...), so a
//! statement of reasons links to the same place whichever of the two pages a
//! citizen opens; a test compares the anchors of both for every preset.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use piazza_policy::{Action, Channel, Policy};

use crate::assets;
use crate::auth::Authenticated;
use crate::error::AppError;
use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/enti/{slug}/policy", get(policy_page))
        .route("/enti/{slug}/account", get(accounts_page))
        .route(
            "/enti/{slug}/statistiche",
            get(crate::reports::public_stats_page),
        )
        .route(
            "/enti/{slug}/registro-verifiche",
            get(crate::checkpoints::checkpoints_page),
        )
        .route(
            "/enti/{slug}/riesame",
            get(crate::citizens::appeal_page).post(crate::citizens::appeal_submit),
        )
        .route(
            "/enti/{slug}/trasparenza",
            get(crate::transparency::transparency_page),
        )
        .route(
            "/enti/{slug}/trasparenza.csv",
            get(crate::transparency::transparency_csv),
        )
        .route(
            "/enti/{slug}/trasparenza.json",
            get(crate::transparency::transparency_json),
        )
        .route(
            "/enti/{slug}/segnala",
            get(crate::citizens::report_form).post(crate::citizens::report_submit),
        )
        .route(
            "/enti/{slug}/richiesta-pubblicazione",
            get(crate::citizens::request_form).post(crate::citizens::request_submit),
        )
}

/// Renders a template, or a 500 if it fails (it can only fail on a bug in a
/// filter: askama checks the rest at compile time).
pub(crate) fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

// ---------------------------------------------------------------------------
// The layout every page shares.

/// One link in the section bar under the header.
pub(crate) struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// Which section of an administration a page belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Policy,
    Accounts,
    Stats,
    Checkpoints,
}

/// What `base.html` needs: titles, the header brand and the section bar.
pub(crate) struct Layout {
    /// The `<title>` (the page's own title, then the brand).
    pub title: String,
    pub brand: String,
    pub tagline: String,
    pub home: String,
    pub nav: Vec<NavItem>,
    /// The signed-in staff member's name, where a page knows it.
    pub staff: Option<String>,
    /// The CSRF token of the sign-out form, for a signed-in staff member.
    pub logout_token: Option<String>,
}

impl Layout {
    /// Pages that belong to no administration (landing, errors).
    pub fn piazza(title: &str) -> Layout {
        Layout {
            title: format!("{title} – Piazza"),
            brand: "Piazza".into(),
            tagline: "La social media policy delle amministrazioni, applicata ogni giorno".into(),
            home: "/".into(),
            nav: Vec::new(),
            staff: None,
            logout_token: None,
        }
    }

    /// Pages of one administration: its name in the header and its sections
    /// in the bar.
    pub fn administration(slug: &str, policy: &Policy, title: &str, current: Section) -> Layout {
        let name = &policy.administration.name;
        Layout {
            title: format!("{title} – {name}"),
            brand: name.clone(),
            tagline: "Social media istituzionali".into(),
            home: format!("/enti/{slug}/policy"),
            nav: vec![
                NavItem {
                    href: format!("/enti/{slug}/policy"),
                    label: "Social media policy",
                    current: current == Section::Policy,
                },
                NavItem {
                    href: format!("/enti/{slug}/account"),
                    label: "Account ufficiali",
                    current: current == Section::Accounts,
                },
                NavItem {
                    href: format!("/enti/{slug}/statistiche"),
                    label: "Statistiche di moderazione",
                    current: current == Section::Stats,
                },
                NavItem {
                    href: format!("/enti/{slug}/registro-verifiche"),
                    label: "Verifiche del registro",
                    current: current == Section::Checkpoints,
                },
            ],
            staff: None,
            logout_token: None,
        }
    }

    pub fn with_staff(mut self, auth: Option<Authenticated>, state: &AppState) -> Layout {
        if let Some(Authenticated(s)) = auth {
            self.logout_token = Some(state.csrf.token(&s.session_id));
            self.staff = Some(s.display_name);
        }
        self
    }

    pub fn asset(&self, path: &str) -> String {
        assets::url(path)
    }

    /// A reference to an icon of the kit's SVG sprite.
    pub fn icon(&self, id: &str) -> String {
        format!("{}#{id}", assets::url("svg/sprites.svg"))
    }

    pub fn kit_version(&self) -> &'static str {
        assets::BOOTSTRAP_ITALIA_VERSION
    }
}

// ---------------------------------------------------------------------------
// Landing page.

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage {
    layout: Layout,
    administrations: Vec<AdministrationCard>,
}

struct AdministrationCard {
    slug: String,
    name: String,
    kind: &'static str,
    title: String,
    version: String,
    clauses: usize,
    accounts: usize,
}

async fn landing(
    State(state): State<AppState>,
    auth: Option<Authenticated>,
) -> Result<Response, AppError> {
    let administrations = state
        .administrations()
        .await?
        .iter()
        .map(|ctx| (ctx.slug.clone(), &ctx.policy))
        .map(|(slug, p)| AdministrationCard {
            slug,
            name: p.administration.name.clone(),
            kind: p.administration.kind.label_it(),
            title: p.document.title.clone(),
            version: p.document.version.clone(),
            clauses: p.external.clauses.len(),
            accounts: p.channels.accounts.len(),
        })
        .collect();
    Ok(render(&LandingPage {
        layout: Layout::piazza("Amministrazioni").with_staff(auth, &state),
        administrations,
    }))
}

// ---------------------------------------------------------------------------
// The citizen-facing policy.

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    layout: Layout,
    slug: String,
    title: String,
    version_line: String,
    purpose: Vec<String>,
    toc: Vec<(String, String)>,
    intro: Vec<String>,
    clauses: Vec<ClauseView>,
    /// Shown instead of clauses when the policy has none.
    no_clauses: Vec<String>,
    deletion_reserved: bool,
    sections: Vec<SectionView>,
    accounts: AccountsView,
    hours: Option<String>,
    response: Option<String>,
    /// How the promised time is counted, said to citizens.
    response_clock: Option<String>,
    contacts: Vec<Vec<piazza_policy::render::TextRun>>,
    licence: Option<LicenceView>,
    /// Every version activated at this desk: (label, since), newest first.
    history: Vec<(String, String)>,
    /// The policy takes requests to publish from associations: its words.
    public_requests: Option<String>,
}

struct ClauseView {
    anchor: String,
    heading: String,
    text: String,
    items: Vec<String>,
    measures: Option<String>,
}

struct SectionView {
    anchor: String,
    title: String,
    paragraphs: Vec<String>,
    items: Vec<String>,
}

struct LicenceView {
    text: String,
    name: String,
    url: Option<String>,
}

async fn policy_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    auth: Option<Authenticated>,
) -> Result<Response, AppError> {
    let ctx = state.administration(&slug).await?;
    let mut page = policy_view(&slug, &ctx.policy);
    page.layout = page.layout.with_staff(auth, &state);
    let admin = ctx.admin_id;
    let registry = state.run(move |d| d.accounts(admin)).await?;
    page.accounts = registry_accounts_view(&ctx.policy, &registry);
    page.history = state
        .run(move |d| d.policy_history(admin))
        .await?
        .iter()
        .map(|v| (v.version.clone(), crate::views::when(v.activated_at)))
        .collect();
    Ok(render(&page))
}

fn version_line(p: &Policy) -> String {
    let mut s = format!("Versione {}", p.document.version);
    if let Some(d) = p.document.first_published {
        s.push_str(&format!(" · prima pubblicazione: {}", d.italian()));
    }
    if let Some(d) = p.document.last_updated {
        s.push_str(&format!(" · ultimo aggiornamento: {}", d.italian()));
    }
    s
}

/// The same slugs as `piazza_policy::render` gives section headings.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = match c {
            'à' | 'á' => 'a',
            'è' | 'é' => 'e',
            'ì' | 'í' => 'i',
            'ò' | 'ó' => 'o',
            'ù' | 'ú' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn policy_view(slug_: &str, p: &Policy) -> PolicyPage {
    let ext = &p.external;
    let clauses = ext
        .clauses
        .iter()
        .map(|c| {
            let measures: Vec<&str> = c
                .actions
                .iter()
                .filter(|a| a.is_restrictive())
                .map(|a: &Action| a.label_it())
                .collect();
            ClauseView {
                anchor: Policy::clause_anchor(c.number),
                heading: format!("Regola {} – {}", c.number, c.title),
                text: c.text.clone(),
                items: c.items.clone(),
                measures: (!measures.is_empty()).then(|| measures.join(", ")),
            }
        })
        .collect();
    let no_clauses = if ext.clauses.is_empty() {
        p.gaps
            .iter()
            .filter(|g| g.topic.contains("estern"))
            .map(|g| capitalise(&g.note))
            .collect()
    } else {
        Vec::new()
    };
    let sections: Vec<SectionView> = ext
        .sections
        .iter()
        .map(|s| SectionView {
            anchor: slug(&s.title),
            title: s.title.clone(),
            paragraphs: s.paragraphs.clone(),
            items: s.items.clone(),
        })
        .collect();
    let licence = p.content.licence.as_ref().map(|l| LicenceView {
        text: l.text.clone(),
        name: l.name.clone(),
        url: l.url.clone(),
    });

    let mut toc = vec![("regole".to_string(), "Regole per chi commenta".to_string())];
    toc.extend(sections.iter().map(|s| (s.anchor.clone(), s.title.clone())));
    toc.push(("account-ufficiali".into(), "Account ufficiali".into()));
    toc.push(("orari".into(), "Orari di moderazione".into()));
    toc.push(("contatti".into(), "Contatti".into()));
    if licence.is_some() {
        toc.push(("licenza".into(), "Licenza dei contenuti".into()));
    }
    toc.push(("versioni".into(), "Versioni di questa policy".into()));
    toc.push(("contestare".into(), "Come contestare una decisione".into()));

    PolicyPage {
        layout: Layout::administration(slug_, p, &p.document.title, Section::Policy),
        slug: slug_.to_string(),
        title: p.document.title.clone(),
        version_line: version_line(p),
        purpose: p.document.purpose.clone(),
        toc,
        intro: ext.intro.clone(),
        clauses,
        no_clauses,
        deletion_reserved: ext.deletion_reserved_for_serious && !ext.clauses.is_empty(),
        sections,
        accounts: accounts_view(p),
        hours: (!p.moderation.hours.is_empty()).then(|| p.hours_sentence(None)),
        response: p.response.as_ref().map(|r| r.text.clone()),
        response_clock: p.response.as_ref().map(|r| {
            r.clock_reason.clone().unwrap_or_else(|| {
                format!(
                    "Il tempo di risposta si conta in {}, a partire dalla presa in carico.",
                    r.clock.label_it()
                )
            })
        }),
        contacts: p.contacts.lines(),
        licence,
        history: Vec::new(),
        public_requests: p
            .internal
            .editorial
            .as_ref()
            .and_then(|e| e.public_requests.as_ref())
            .map(|r| r.text.clone()),
    }
}

// ---------------------------------------------------------------------------
// Official accounts.

/// The accounts table, shared by the policy page and the accounts page.
struct AccountsView {
    caption: String,
    rows: Vec<AccountRow>,
    /// Where the list is published, when the policy does not carry it.
    published_at: Option<String>,
    unofficial: Option<String>,
    /// Accounts that present themselves as the administration's and are
    /// not (from the registry).
    not_official: Vec<(String, String)>,
}

struct AccountRow {
    platform: String,
    name: String,
    url: Option<String>,
    handle: String,
    kind: &'static str,
    managed_by: String,
    hours: String,
}

fn account_row(p: &Policy, a: &Channel) -> AccountRow {
    AccountRow {
        platform: a.platform.label_it().to_string(),
        name: a.name.clone(),
        url: a.url.clone(),
        handle: a
            .handle
            .as_deref()
            .map(|h| format!("@{h}"))
            .unwrap_or_else(|| "—".into()),
        kind: a.kind.label_it(),
        managed_by: if a.managed_by.is_empty() {
            "—".into()
        } else {
            a.managed_by.join(", ")
        },
        hours: p.hours_sentence(Some(a)),
    }
}

fn accounts_view(p: &Policy) -> AccountsView {
    AccountsView {
        caption: format!("Account ufficiali di {}", p.administration.name),
        rows: p
            .channels
            .accounts
            .iter()
            .map(|a| account_row(p, a))
            .collect(),
        published_at: p.channels.list_published_at.clone(),
        unofficial: p.channels.unofficial_statement.clone(),
        not_official: Vec::new(),
    }
}

/// The accounts table from the registry, which follows the
/// administration's life (an account opened, suspended or closed shows at
/// once), with each account's own hours when it has them.
fn registry_accounts_view(p: &Policy, accounts: &[piazza_desk::Account]) -> AccountsView {
    use piazza_desk::AccountStatus;
    let hours_of = |a: &piazza_desk::Account| {
        let lead = p
            .moderation
            .hours_lead
            .as_deref()
            .unwrap_or("Pagina moderata");
        let mut s = if a.hours.is_empty() {
            p.hours_sentence(None)
        } else {
            piazza_policy::hours_sentence(lead, &a.hours, p.moderation.holidays_excluded)
        };
        if !a.im_hours.is_empty() {
            s.push(' ');
            s.push_str(&piazza_policy::hours_sentence(
                "Messaggi privati",
                &a.im_hours,
                p.moderation.holidays_excluded,
            ));
        }
        if a.status == AccountStatus::Suspended {
            s = format!("Account temporaneamente sospeso. {s}");
        }
        s
    };
    let platform = |a: &piazza_desk::Account| {
        a.platform
            .parse::<piazza_policy::Platform>()
            .map(|p| p.label_it().to_string())
            .unwrap_or_else(|_| a.platform.clone())
    };
    AccountsView {
        caption: format!("Account ufficiali di {}", p.administration.name),
        rows: accounts
            .iter()
            .filter(|a| matches!(a.status, AccountStatus::Active | AccountStatus::Suspended))
            .map(|a| AccountRow {
                platform: platform(a),
                name: a.name.clone(),
                url: a.url.clone(),
                handle: a
                    .handle
                    .as_deref()
                    .map(|h| format!("@{h}"))
                    .unwrap_or_else(|| "—".into()),
                kind: serde_json::from_value::<piazza_policy::ChannelKind>(
                    serde_json::Value::String(a.kind.clone()),
                )
                .map(|k| k.label_it())
                .unwrap_or("—"),
                managed_by: a.managing_office.clone().unwrap_or_else(|| "—".into()),
                hours: hours_of(a),
            })
            .collect(),
        published_at: p.channels.list_published_at.clone(),
        unofficial: p.channels.unofficial_statement.clone(),
        not_official: accounts
            .iter()
            .filter(|a| a.status == AccountStatus::Unofficial)
            .map(|a| (platform(a), a.name.clone()))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    layout: Layout,
    name: String,
    slug: String,
    accounts: AccountsView,
    hours: Option<String>,
    response: Option<String>,
}

async fn accounts_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    auth: Option<Authenticated>,
) -> Result<Response, AppError> {
    let ctx = state.administration(&slug).await?;
    let p = &ctx.policy;
    let admin = ctx.admin_id;
    let registry = state.run(move |d| d.accounts(admin)).await?;
    let page = AccountsPage {
        layout: Layout::administration(&slug, p, "Account ufficiali", Section::Accounts)
            .with_staff(auth, &state),
        name: p.administration.name.clone(),
        slug: slug.clone(),
        accounts: registry_accounts_view(p, &registry),
        hours: (!p.moderation.hours.is_empty()).then(|| p.hours_sentence(None)),
        response: p.response.as_ref().map(|r| r.text.clone()),
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------------------
// Errors.

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub layout: Layout,
    pub title: String,
    pub text: String,
    pub code: &'static str,
    pub status: u16,
}

#[cfg(test)]
mod tests {
    use super::*;
    use piazza_policy::render::{Audience, Format, render};

    fn ids(html: &str) -> std::collections::BTreeSet<String> {
        html.split(" id=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_string())
            .collect()
    }

    /// Statements of reasons link to `#clausola-N` and friends on whichever
    /// page the administration publishes: both must carry the same anchors.
    #[test]
    fn the_policy_page_keeps_every_anchor_of_the_rendered_policy() {
        assert_eq!(piazza_policy::PRESETS.len(), 5);
        for preset in piazza_policy::PRESETS {
            let (slug, p) = (
                preset.name,
                piazza_policy::load_preset(preset.name).unwrap().policy,
            );
            let p = &p;
            let ours = ids(&policy_view(slug, p).render().unwrap());
            let theirs = ids(&render(p, Audience::Public, Format::Html));
            let missing: Vec<_> = theirs.difference(&ours).collect();
            assert!(missing.is_empty(), "{slug}: anchors missing: {missing:?}");
        }
    }

    #[test]
    fn slugs_match_the_renderer() {
        assert_eq!(slug("Moderazione e privacy"), "moderazione-e-privacy");
        assert_eq!(slug("Richieste, segnalazioni…"), "richieste-segnalazioni");
        assert_eq!(slug("Responsabilità"), "responsabilita");
    }
}
