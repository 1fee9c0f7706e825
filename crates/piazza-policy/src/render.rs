//! Rendering a policy for people: the citizen-facing "Social Media Policy"
//! page and the internal policy for staff, in Italian, as accessible HTML or
//! as Markdown.
//!
//! Both formats are produced from one small document tree, so the two never
//! disagree. Clause anchors are stable (`#clausola-3`): statements of reasons
//! link to them together with the policy version.

use piazza_taxonomy::Category;

use crate::model::{Authorisation, Contacts, ForbiddenUseKind, Policy, Section};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "html" => Ok(Format::Html),
            "md" | "markdown" => Ok(Format::Markdown),
            _ => Err(format!("unknown format `{s}`, expected html or md")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Citizens: the page published on the website and linked from the bios.
    Public,
    /// Staff: the internal rules and how Piazza applies the policy.
    Internal,
}

impl std::str::FromStr for Audience {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "public" | "pubblico" => Ok(Audience::Public),
            "internal" | "interno" => Ok(Audience::Internal),
            _ => Err(format!(
                "unknown audience `{s}`, expected public or internal"
            )),
        }
    }
}

/// Renders `policy` for `audience` in `format`.
pub fn render(policy: &Policy, audience: Audience, format: Format) -> String {
    let doc = match audience {
        Audience::Public => public_document(policy),
        Audience::Internal => internal_document(policy),
    };
    match format {
        Format::Html => to_html(&doc),
        Format::Markdown => to_markdown(&doc),
    }
}

// ---------------------------------------------------------------------------
// The document tree.

#[derive(Debug, Clone)]
enum Inline {
    Text(String),
    Link { text: String, href: String },
    Strong(String),
}

#[derive(Debug, Clone)]
enum Block {
    Heading {
        level: u8,
        text: String,
        anchor: Option<String>,
    },
    Para(Vec<Inline>),
    List(Vec<Vec<Inline>>),
    Table {
        caption: String,
        headers: Vec<String>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Note(Vec<Inline>),
}

struct Doc {
    title: String,
    blocks: Vec<Block>,
}

fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

fn para(s: impl Into<String>) -> Block {
    Block::Para(vec![text(s)])
}

fn heading(level: u8, s: impl Into<String>, anchor: Option<String>) -> Block {
    Block::Heading {
        level,
        text: s.into(),
        anchor,
    }
}

fn link_or_text(s: &str) -> Inline {
    Inline::from(TextRun::link_or_text(s))
}

impl From<TextRun> for Inline {
    fn from(run: TextRun) -> Self {
        match run.href {
            Some(href) => Inline::Link {
                text: run.text,
                href,
            },
            None => Inline::Text(run.text),
        }
    }
}

/// A run of text, linked when `href` is set: how the policy's contacts read
/// on every page that shows them (this document and the web desk's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRun {
    pub text: String,
    pub href: Option<String>,
}

impl TextRun {
    pub fn text(s: impl Into<String>) -> Self {
        TextRun {
            text: s.into(),
            href: None,
        }
    }

    /// A web address or an e-mail address as a link to it, anything else
    /// (a phone number, a street address) as text.
    pub fn link_or_text(s: &str) -> Self {
        let href = if s.starts_with("http://") || s.starts_with("https://") {
            Some(s.to_string())
        } else if s.contains('@') && !s.contains(' ') {
            Some(format!("mailto:{s}"))
        } else {
            None
        };
        TextRun {
            text: s.to_string(),
            href,
        }
    }
}

impl Contacts {
    /// The contacts as the policy page lists them, one line each: the URP
    /// first, as the seeds do, then the named services, then the rest.
    pub fn lines(&self) -> Vec<Vec<TextRun>> {
        let labelled = |label: &str, value: &str| {
            vec![
                TextRun::text(format!("{label}: ")),
                TextRun::link_or_text(value),
            ]
        };
        let mut lines = Vec::new();
        let urp = [
            ("URP, e-mail", &self.urp_email),
            ("URP, telefono", &self.urp_phone),
            ("URP, numero verde", &self.urp_toll_free),
            ("Elenco degli URP", &self.urp_list_url),
        ];
        for (label, value) in urp {
            if let Some(v) = value {
                lines.push(labelled(label, v));
            }
        }
        for named in self
            .contact_centre
            .iter()
            .chain(self.casa_digitale.iter())
            .chain(self.apps.iter())
        {
            let mut line = vec![TextRun::text(&named.name)];
            if let Some(phone) = &named.phone {
                line.push(TextRun::text(format!(", {phone}")));
            }
            if let Some(url) = &named.url {
                line.push(TextRun::text(": "));
                line.push(TextRun::link_or_text(url));
            }
            lines.push(line);
        }
        if let Some(police) = &self.police {
            // "Polizia Locale (denunce di reato): 0..., e-mail, pagina"
            let mut line = vec![TextRun::text(format!(
                "{} (per le denunce di reato; emergenze: 112)",
                police.name
            ))];
            let means = [&police.phone, &police.email, &police.pec, &police.url];
            for (i, v) in means.into_iter().flatten().enumerate() {
                line.push(TextRun::text(if i == 0 { ": " } else { ", " }));
                line.push(TextRun::link_or_text(v));
            }
            lines.push(line);
        }
        let rest = [
            ("PEC", &self.pec),
            (
                "Segnalazione di violazioni delle regole",
                &self.violations_email,
            ),
            ("Ufficio che gestisce gli account", &self.office_email),
            ("Sito istituzionale", &self.website),
        ];
        for (label, value) in rest {
            if let Some(v) = value {
                lines.push(labelled(label, v));
            }
        }
        lines
    }
}

fn version_line(p: &Policy) -> Block {
    let mut s = format!("Versione {}", p.document.version);
    if let Some(d) = p.document.first_published {
        s.push_str(&format!(" · prima pubblicazione: {}", d.italian()));
    }
    if let Some(d) = p.document.last_updated {
        s.push_str(&format!(" · ultimo aggiornamento: {}", d.italian()));
    }
    para(s)
}

fn push_section(blocks: &mut Vec<Block>, level: u8, s: &Section, anchor: Option<String>) {
    blocks.push(heading(level, &s.title, anchor));
    for p in &s.paragraphs {
        blocks.push(para(p));
    }
    if !s.items.is_empty() {
        blocks.push(Block::List(s.items.iter().map(|i| vec![text(i)]).collect()));
    }
}

/// Gap notes are written to follow "topic: "; standing alone they need a
/// capital letter.
fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

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

fn public_document(p: &Policy) -> Doc {
    let mut b = Vec::new();
    b.push(version_line(p));
    for para_text in &p.document.purpose {
        b.push(para(para_text));
    }

    b.push(heading(2, "Regole per chi commenta", Some("regole".into())));
    if p.external.clauses.is_empty() {
        b.push(Block::Note(vec![
            Inline::Strong("Il documento di origine non contiene regole per i cittadini.".into()),
            text(
                " Questa amministrazione non ha pubblicato qui la propria social media policy esterna: finché non lo farà, nessun commento può essere nascosto o rimosso citando una regola di questa pagina.",
            ),
        ]));
        for g in p.gaps.iter().filter(|g| g.topic.contains("estern")) {
            b.push(para(capitalise(&g.note)));
        }
    } else {
        for i in &p.external.intro {
            b.push(para(i));
        }
        for c in &p.external.clauses {
            b.push(heading(
                3,
                format!("Regola {} – {}", c.number, c.title),
                Some(Policy::clause_anchor(c.number)),
            ));
            b.push(para(&c.text));
            if !c.items.is_empty() {
                b.push(Block::List(c.items.iter().map(|i| vec![text(i)]).collect()));
            }
            let measures: Vec<&str> = c
                .actions
                .iter()
                .filter(|a| a.is_restrictive())
                .map(|a| a.label_it())
                .collect();
            if !measures.is_empty() {
                b.push(Block::Para(vec![
                    Inline::Strong("Misure previste: ".into()),
                    text(measures.join(", ")),
                    text("."),
                ]));
            }
        }
        if p.external.deletion_reserved_for_serious {
            b.push(Block::Note(vec![text(
                "La cancellazione dei commenti è riservata ai casi più gravi.",
            )]));
        }
    }
    for s in &p.external.sections {
        push_section(&mut b, 2, s, Some(slug(&s.title)));
    }

    b.push(heading(
        2,
        "Account ufficiali",
        Some("account-ufficiali".into()),
    ));
    account_table(p, &mut b);

    b.push(heading(2, "Orari di moderazione", Some("orari".into())));
    if p.moderation.hours.is_empty() {
        b.push(para("Il documento non indica gli orari di moderazione."));
    } else {
        b.push(para(p.hours_sentence(None)));
    }
    if let Some(r) = &p.response {
        b.push(para(&r.text));
    }

    contacts(p, &mut b);

    if let Some(l) = &p.content.licence {
        b.push(heading(2, "Licenza dei contenuti", Some("licenza".into())));
        b.push(para(&l.text));
        if let Some(url) = &l.url {
            b.push(Block::Para(vec![
                text(format!("Licenza: {} – ", l.name)),
                link_or_text(url),
            ]));
        }
    }

    b.push(heading(
        2,
        "Come contestare una decisione",
        Some("contestare".into()),
    ));
    b.push(para(
        "Se un tuo commento è stato nascosto o rimosso, ricevi una motivazione che cita la regola applicata e la versione di questa policy. Puoi chiedere il riesame scrivendo ai contatti indicati sopra: la decisione sarà rivista da una persona.",
    ));

    Doc {
        title: p.document.title.clone(),
        blocks: b,
    }
}

fn account_table(p: &Policy, b: &mut Vec<Block>) {
    if p.channels.accounts.is_empty() {
        match &p.channels.list_published_at {
            Some(where_) => b.push(para(format!(
                "L’elenco degli account ufficiali è pubblicato qui: {where_}"
            ))),
            None => b.push(para("Il documento non elenca gli account ufficiali.")),
        }
    } else {
        let rows = p
            .channels
            .accounts
            .iter()
            .map(|a| {
                let name = match &a.url {
                    Some(url) => Inline::Link {
                        text: a.name.clone(),
                        href: url.clone(),
                    },
                    None => text(&a.name),
                };
                let handle = a
                    .handle
                    .as_deref()
                    .map(|h| format!("@{h}"))
                    .unwrap_or_else(|| "—".into());
                vec![
                    vec![text(a.platform.label_it())],
                    vec![name],
                    vec![text(handle)],
                    vec![text(a.kind.label_it())],
                    vec![text(if a.managed_by.is_empty() {
                        "—".to_string()
                    } else {
                        a.managed_by.join(", ")
                    })],
                    vec![text(p.hours_sentence(Some(a)))],
                ]
            })
            .collect();
        b.push(Block::Table {
            caption: format!("Account ufficiali di {}", p.administration.name),
            headers: [
                "Piattaforma",
                "Account",
                "Nome utente",
                "Tipo",
                "A cura di",
                "Orari",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
    }
    if let Some(s) = &p.channels.unofficial_statement {
        b.push(Block::Note(vec![text(s)]));
    }
}

fn contacts(p: &Policy, b: &mut Vec<Block>) {
    let items: Vec<Vec<Inline>> = p
        .contacts
        .lines()
        .into_iter()
        .map(|line| line.into_iter().map(Inline::from).collect())
        .collect();
    b.push(heading(2, "Contatti", Some("contatti".into())));
    if items.is_empty() {
        b.push(para("Il documento non indica contatti."));
    } else {
        b.push(Block::List(items));
    }
}

fn authorisation(b: &mut Vec<Block>, title: &str, anchor: &str, a: &Option<Authorisation>) {
    b.push(heading(3, title, Some(anchor.into())));
    match a {
        Some(a) => {
            let by: Vec<&str> = a.by.iter().map(|x| x.label_it()).collect();
            b.push(Block::Para(vec![
                Inline::Strong("Autorizza: ".into()),
                text(by.join(" o ")),
            ]));
            b.push(para(&a.text));
        }
        None => b.push(para("Il documento non lo indica.")),
    }
}

fn internal_document(p: &Policy) -> Doc {
    let mut b = Vec::new();
    b.push(version_line(p));
    let i = &p.internal;

    b.push(heading(
        2,
        "Gestione degli account",
        Some("gestione".into()),
    ));
    b.push(heading(
        3,
        "Uffici che gestiscono gli account",
        Some("uffici".into()),
    ));
    if i.managing_offices.is_empty() {
        b.push(para("Il documento non lo indica."));
    } else {
        b.push(Block::List(
            i.managing_offices.iter().map(|o| vec![text(o)]).collect(),
        ));
    }
    authorisation(
        &mut b,
        "Apertura di nuovi account",
        "apertura-account",
        &i.account_authorisation,
    );
    authorisation(
        &mut b,
        "Personale incaricato",
        "personale",
        &i.staff_authorisation,
    );

    b.push(heading(
        3,
        "Credenziali e passaggio di consegne",
        Some("credenziali".into()),
    ));
    match &i.credentials {
        Some(c) => {
            b.push(para(&c.custody));
            if let Some(h) = &c.handover {
                b.push(Block::Para(vec![
                    Inline::Strong("Fine dell’incarico: ".into()),
                    text(h),
                ]));
            }
            if let Some(r) = &c.password_renewal {
                b.push(Block::Para(vec![
                    Inline::Strong("Rinnovo delle password: ".into()),
                    text(r),
                ]));
            }
            b.push(Block::Note(vec![text(
                "Piazza non conserva mai le password delle piattaforme: registra chi le custodisce, le rotazioni e i passaggi di consegne.",
            )]));
        }
        None => b.push(para("Il documento non lo indica.")),
    }

    if let Some(w) = &i.writing {
        push_section(&mut b, 2, w, Some("scrittura".into()));
    }
    b.push(heading(
        2,
        "Usi vietati degli account istituzionali",
        Some("usi-vietati".into()),
    ));
    if i.forbidden_uses.is_empty() {
        b.push(para("Il documento non lo indica."));
    } else {
        b.push(Block::List(
            i.forbidden_uses
                .iter()
                .map(|f| {
                    let label = match f.kind {
                        ForbiddenUseKind::PersonalOpinions => "Opinioni personali",
                        ForbiddenUseKind::PartisanPolitics => "Politica di parte",
                        ForbiddenUseKind::PrivateAims => "Scopi privati",
                        ForbiddenUseKind::CommercialAims => "Scopi commerciali",
                    };
                    vec![Inline::Strong(format!("{label}: ")), text(&f.text)]
                })
                .collect(),
        ));
    }
    if let Some(s) = &i.private_use {
        push_section(&mut b, 2, s, Some("uso-privato".into()));
    }
    if let Some(s) = &i.disciplinary {
        push_section(&mut b, 2, s, Some("responsabilita".into()));
    }
    for s in &i.sections {
        push_section(&mut b, 2, s, Some(format!("interna-{}", slug(&s.title))));
    }

    b.push(heading(
        2,
        "Moderazione e risposte",
        Some("moderazione".into()),
    ));
    if p.moderation.hours.is_empty() {
        b.push(para("Il documento non indica gli orari di moderazione."));
    } else {
        b.push(para(p.hours_sentence(None)));
    }
    if p.moderation.hours_must_be_published {
        b.push(para(
            "Ogni account deve pubblicare nelle proprie informazioni gli orari di moderazione e di risposta.",
        ));
    }
    if let Some(r) = &p.response {
        b.push(para(&r.text));
        b.push(para(format!(
            "Termine calcolato da Piazza: {} ore lavorative dalla presa in carico{}.",
            r.working_hours,
            if r.courtesy_reply {
                format!(
                    "; risposta di cortesia segnalata al {}% del tempo",
                    (r.courtesy_at * 100.0).round()
                )
            } else {
                String::new()
            }
        )));
    }

    if let Some(ph) = &p.content.photos {
        b.push(heading(2, "Foto e immagini", Some("foto".into())));
        b.push(para(&ph.text));
        let mut items = Vec::new();
        if !ph.release_required.is_empty() {
            let l: Vec<&str> = ph.release_required.iter().map(|s| s.label_it()).collect();
            items.push(vec![text(format!(
                "Solo con liberatoria: {}",
                l.join(", ")
            ))]);
        }
        if !ph.forbidden.is_empty() {
            let l: Vec<&str> = ph.forbidden.iter().map(|s| s.label_it()).collect();
            items.push(vec![text(format!("Mai: {}", l.join(", ")))]);
        }
        b.push(Block::List(items));
    }
    let a = &p.accounts;
    if a.institutional_email_domain.is_some() || a.municipal_naming.is_some() {
        b.push(heading(
            2,
            "Regole per gli account",
            Some("regole-account".into()),
        ));
        if let Some(d) = &a.institutional_email_domain {
            b.push(para(format!(
                "Nuovi account solo con indirizzi e-mail di servizio del dominio {d}{}.",
                if a.personal_email_forbidden {
                    ", mai con indirizzi personali (nome.cognome)"
                } else {
                    ""
                }
            )));
        }
        if let Some(n) = &a.municipal_naming {
            b.push(para(format!(
                "Nome degli account municipali: «{}» seguito dal numero romano{}{}.",
                n.prefix,
                if n.optional_name {
                    " e, se presente, dal nome del Municipio"
                } else {
                    ""
                },
                if n.examples.is_empty() {
                    String::new()
                } else {
                    format!(" (es. {})", n.examples.join(", "))
                }
            )));
        }
    }

    b.push(heading(
        2,
        "Come Piazza applica la policy",
        Some("applicazione".into()),
    ));
    let rows = Category::ALL
        .iter()
        .map(|c| {
            let r = p.category_rule(*c);
            vec![
                vec![text(c.label_it())],
                vec![text(
                    r.clause
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "nessuna".into()),
                )],
                vec![text(format!("{:.2}", r.threshold))],
                vec![text(if r.clause.is_some() {
                    r.suggested.label_it()
                } else {
                    "—"
                })],
                vec![text(if r.serious { "sì" } else { "no" })],
            ]
        })
        .collect();
    b.push(Block::Table {
        caption: "Categorie, regole citate, soglie e azioni suggerite".into(),
        headers: ["Categoria", "Regola", "Soglia", "Azione suggerita", "Grave"]
            .map(String::from)
            .to_vec(),
        rows,
    });
    if p.external.deletion_reserved_for_serious {
        b.push(para(
            "La cancellazione è riservata alle violazioni gravi: una rimozione per una categoria non grave richiede la conferma di un secondo moderatore.",
        ));
    }

    if !p.gaps.is_empty() {
        b.push(heading(
            2,
            "Cosa il documento di origine non dice",
            Some("lacune".into()),
        ));
        b.push(Block::List(
            p.gaps
                .iter()
                .map(|g| vec![Inline::Strong(format!("{}: ", g.topic)), text(&g.note)])
                .collect(),
        ));
    }

    Doc {
        title: format!("Social Media Policy interna – {}", p.administration.name),
        blocks: b,
    }
}

// ---------------------------------------------------------------------------
// Back ends.

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn inline_html(parts: &[Inline]) -> String {
    parts
        .iter()
        .map(|i| match i {
            Inline::Text(t) => esc(t),
            Inline::Strong(t) => format!("<strong>{}</strong>", esc(t)),
            Inline::Link { text, href } => format!("<a href=\"{}\">{}</a>", esc(href), esc(text)),
        })
        .collect()
}

fn to_html(doc: &Doc) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"it\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", esc(&doc.title)));
    out.push_str(
        "<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1a1a1a}\
a{color:#0059b3}a:focus,:focus-visible{outline:3px solid #ff9900;outline-offset:2px}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #767676;padding:.4rem;text-align:left;vertical-align:top}\
caption{text-align:left;font-weight:bold}.nota{border-left:4px solid #0059b3;padding:.5rem 1rem;background:#eef4fb}</style>\n",
    );
    out.push_str("</head>\n<body>\n<main id=\"contenuto\">\n");
    out.push_str(&format!("<h1>{}</h1>\n", esc(&doc.title)));
    let toc: Vec<(&String, &String)> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading {
                level: 2,
                text,
                anchor: Some(a),
            } => Some((text, a)),
            _ => None,
        })
        .collect();
    if toc.len() > 2 {
        out.push_str("<nav aria-label=\"Indice\">\n<ul>\n");
        for (t, a) in toc {
            out.push_str(&format!(
                "<li><a href=\"#{}\">{}</a></li>\n",
                esc(a),
                esc(t)
            ));
        }
        out.push_str("</ul>\n</nav>\n");
    }
    for b in &doc.blocks {
        match b {
            Block::Heading {
                level,
                text,
                anchor,
            } => {
                let id = anchor
                    .as_ref()
                    .map(|a| format!(" id=\"{}\"", esc(a)))
                    .unwrap_or_default();
                out.push_str(&format!("<h{level}{id}>{}</h{level}>\n", esc(text)));
            }
            Block::Para(p) => out.push_str(&format!("<p>{}</p>\n", inline_html(p))),
            Block::Note(p) => out.push_str(&format!(
                "<p class=\"nota\" role=\"note\">{}</p>\n",
                inline_html(p)
            )),
            Block::List(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    out.push_str(&format!("<li>{}</li>\n", inline_html(i)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table {
                caption,
                headers,
                rows,
            } => {
                out.push_str(&format!(
                    "<table>\n<caption>{}</caption>\n<thead><tr>",
                    esc(caption)
                ));
                for h in headers {
                    out.push_str(&format!("<th scope=\"col\">{}</th>", esc(h)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for (i, cell) in r.iter().enumerate() {
                        if i == 0 {
                            out.push_str(&format!("<th scope=\"row\">{}</th>", inline_html(cell)));
                        } else {
                            out.push_str(&format!("<td>{}</td>", inline_html(cell)));
                        }
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn inline_md(parts: &[Inline]) -> String {
    parts
        .iter()
        .map(|i| match i {
            Inline::Text(t) => md_escape(t),
            Inline::Strong(t) => {
                format!("**{}**", md_escape(t.trim_end())) + if t.ends_with(' ') { " " } else { "" }
            }
            Inline::Link { text, href } => format!("[{}]({href})", md_escape(text)),
        })
        .collect()
}

fn to_markdown(doc: &Doc) -> String {
    let mut out = format!("# {}\n\n", md_escape(&doc.title));
    for b in &doc.blocks {
        match b {
            Block::Heading {
                level,
                text,
                anchor,
            } => {
                let hashes = "#".repeat(usize::from(*level));
                match anchor {
                    // An explicit anchor keeps links stable whatever the
                    // Markdown renderer does to heading ids.
                    Some(a) => out.push_str(&format!(
                        "<a id=\"{a}\"></a>\n{hashes} {}\n\n",
                        md_escape(text)
                    )),
                    None => out.push_str(&format!("{hashes} {}\n\n", md_escape(text))),
                }
            }
            Block::Para(p) => out.push_str(&format!("{}\n\n", inline_md(p))),
            Block::Note(p) => out.push_str(&format!("> {}\n\n", inline_md(p))),
            Block::List(items) => {
                for i in items {
                    out.push_str(&format!("- {}\n", inline_md(i)));
                }
                out.push('\n');
            }
            Block::Table {
                caption,
                headers,
                rows,
            } => {
                out.push_str(&format!("**{}**\n\n", md_escape(caption)));
                out.push_str(&format!(
                    "| {} |\n",
                    headers
                        .iter()
                        .map(|h| md_escape(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
                out.push_str(&format!("|{}\n", " --- |".repeat(headers.len())));
                for r in rows {
                    let cells: Vec<String> = r.iter().map(|c| inline_md(c)).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NamedContact;

    #[test]
    fn contact_lines_link_web_and_mail_addresses_only() {
        let c = Contacts {
            urp_email: Some("urp@comune.cento.fe.it".into()),
            urp_toll_free: Some("800 012 345".into()),
            contact_centre: Some(NamedContact {
                name: "Chiamaroma".into(),
                phone: Some("060606".into()),
                url: Some("https://www.comune.roma.it/chiamaroma".into()),
            }),
            website: Some("https://www.comune.cento.fe.it".into()),
            ..Contacts::default()
        };
        let lines = c.lines();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[0],
            vec![
                TextRun::text("URP, e-mail: "),
                TextRun {
                    text: "urp@comune.cento.fe.it".into(),
                    href: Some("mailto:urp@comune.cento.fe.it".into()),
                },
            ]
        );
        assert_eq!(lines[1][1], TextRun::text("800 012 345"));
        assert_eq!(lines[2][0].text, "Chiamaroma");
        assert_eq!(lines[2][1].text, ", 060606");
        assert_eq!(
            lines[2][3].href.as_deref(),
            Some("https://www.comune.roma.it/chiamaroma")
        );
        assert_eq!(lines[3][0].text, "Sito istituzionale: ");

        let html = to_html(&Doc {
            title: "t".into(),
            blocks: vec![Block::List(
                lines
                    .into_iter()
                    .map(|l| l.into_iter().map(Inline::from).collect())
                    .collect(),
            )],
        });
        assert!(
            html.contains(r#"href="mailto:urp@comune.cento.fe.it""#),
            "{html}"
        );
        assert!(!html.contains(r#"href="800"#), "{html}");
    }

    #[test]
    fn the_police_contact_is_listed_with_the_emergency_number() {
        let c = Contacts {
            police: Some(crate::model::PoliceContact {
                name: "Polizia Locale".into(),
                phone: Some("051 000000".into()),
                email: None,
                pec: None,
                url: Some("https://www.facebook.com/polizialocalecento/".into()),
                source: "test".into(),
            }),
            ..Contacts::default()
        };
        let lines = c.lines();
        assert_eq!(lines.len(), 1);
        let l = &lines[0];
        assert_eq!(
            l[0].text,
            "Polizia Locale (per le denunce di reato; emergenze: 112)"
        );
        assert_eq!(l[2], TextRun::text("051 000000"));
        assert_eq!(
            l[4].href.as_deref(),
            Some("https://www.facebook.com/polizialocalecento/")
        );
    }
}
