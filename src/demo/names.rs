//! Names for the demo's fictional customers, workspaces and users, and the slugs and
//! email domains derived from them.
//! Owns word lists and the few deliberately awkward names (commas, quotes, `|`, HTML)
//! that a real export contains; knows nothing about file formats.

use super::rng::Rng;

const FIRST: &[&str] = &[
    "Blue",
    "Cedar",
    "Harbor",
    "Iron",
    "North",
    "Silver",
    "Summit",
    "Maple",
    "Granite",
    "Coral",
    "Falcon",
    "Orbit",
    "Pine",
    "Quartz",
    "River",
    "Solar",
    "Stone",
    "Tidal",
    "Vertex",
    "Willow",
    "Amber",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Glacier",
    "Horizon",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Oak",
    "Prairie",
    "Redwood",
    "Sable",
    "Tundra",
    "Union",
    "Vista",
    "Acme",
    "Brightline",
    "Clearwater",
    "Driftwood",
    "Evergreen",
    "Foxglove",
    "Greenfield",
    "Highland",
    "Ironbridge",
    "Lakeshore",
    "Northwind",
    "Oakridge",
    "Pinnacle",
    "Riverside",
    "Seabright",
    "Westbrook",
    "Zenith",
    "Atlas",
    "Bluefin",
    "Copper",
];

const SECTOR: &[&str] = &[
    "Analytics",
    "Logistics",
    "Health",
    "Systems",
    "Labs",
    "Capital",
    "Foods",
    "Media",
    "Robotics",
    "Energy",
    "Bank",
    "Insurance",
    "Software",
    "Retail",
    "Studios",
    "Pharma",
    "Biosciences",
    "Networks",
    "Security",
    "Consulting",
    "Manufacturing",
    "Telecom",
    "Travel",
    "Mobility",
    "Education",
    "Games",
    "Payments",
    "Construction",
    "Legal",
    "Realty",
];

const SUFFIX_US: &[&str] = &["Inc.", "LLC", "Corp", "Co.", "Group", "Holdings", "Technologies"];
const SUFFIX_EU: &[&str] = &["GmbH", "SAS", "B.V.", "S.L.", "AG", "S.p.A.", "Oy", "AB"];
const SUFFIX_UK: &[&str] = &["Ltd", "PLC", "Ltd.", "LLP"];

/// Real CRMs are full of these; the parsers downstream must survive them.
const ODD_ACCOUNTS: &[&str] = &[
    "Smith, Jones & Partners LLP",
    "Acme, Inc.",
    "Pq Labs \"North\"",
    "O'Brien & Sons",
    "Müller Logistik GmbH",
    "Société Générale de Données SAS",
    "Łódź Software Sp. z o.o.",
    "São Paulo Pagamentos Ltda",
    "Zürich Re-Insurance AG",
    "\"Quoted\" Holdings, LLC",
];

const TEAMS: &[&str] = &[
    "Engineering",
    "Marketing",
    "Sales",
    "Support",
    "Finance",
    "Design",
    "Data",
    "Ops",
    "EMEA",
    "APAC",
    "Sandbox",
    "Legal",
    "HR",
    "Product",
    "Staging",
    "Research",
    "Platform",
    "IT",
];

pub(super) const PEOPLE_FIRST: &[&str] = &[
    "jane", "john", "maria", "wei", "aisha", "lucas", "emma", "noah", "olivia", "liam", "sofia", "mateo", "yuki",
    "arjun", "fatima", "chen", "lea", "omar", "ines", "tom", "anna", "david", "sara", "ivan", "priya", "kofi", "elena",
    "hugo", "mia", "raj",
];

pub(super) const PEOPLE_LAST: &[&str] = &[
    "doe", "smith", "garcia", "wang", "khan", "silva", "muller", "rossi", "kim", "patel", "nguyen", "martin", "brown",
    "lopez", "tanaka", "novak", "cohen", "dubois", "jensen", "okafor",
];

const FREE_NAMES: &[&str] = &[
    "My Workspace",
    "Test",
    "test123",
    "Personal",
    "Side project",
    "Sandbox",
    "Hackathon",
    "Demo",
    "Untitled workspace",
    "Book club",
    "Wedding planning",
    "Thesis",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Region {
    Us,
    Eu,
    Uk,
}

/// A customer's legal name and the short form people use for its workspaces.
pub(super) struct CompanyName {
    pub(super) legal: String,
    pub(super) short: String,
}

pub(super) fn company(rng: &mut Rng, region: Region) -> CompanyName {
    if rng.chance(0.004) {
        let legal = rng.pick(ODD_ACCOUNTS).to_string();
        let short = legal.split(&[',', ' '][..]).next().unwrap_or("Acme").to_string();
        return CompanyName { legal, short };
    }
    let first = rng.pick(FIRST);
    let sector = rng.pick(SECTOR);
    let suffix = match region {
        Region::Us => rng.pick(SUFFIX_US),
        Region::Eu => rng.pick(SUFFIX_EU),
        Region::Uk => rng.pick(SUFFIX_UK),
    };
    CompanyName {
        legal: format!("{first} {sector} {suffix}"),
        short: format!("{first} {sector}"),
    }
}

/// Name of the `nth` workspace (0 = the first) of a paying customer.
pub(super) fn paid_workspace(rng: &mut Rng, short: &str, nth: usize) -> String {
    if nth == 0 && rng.chance(0.7) {
        return short.to_string();
    }
    let team = rng.pick(TEAMS);
    match rng.below(100) {
        // Free-text names: people type commas and quotes.
        0 => format!("{short}, {team}"),
        1 => format!("{short} \"{team}\""),
        2 => format!("{team} ({short})"),
        _ => format!("{short} {team}"),
    }
}

pub(super) fn free_workspace(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => {
            let first = *rng.pick(PEOPLE_FIRST);
            format!("{}'s workspace", capitalise(first))
        }
        1 => {
            let (first, last) = (*rng.pick(PEOPLE_FIRST), *rng.pick(PEOPLE_LAST));
            format!("{} {}", capitalise(first), capitalise(last))
        }
        _ => rng.pick(FREE_NAMES).to_string(),
    }
}

fn capitalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
    }
    out.push_str(chars.as_str());
    out
}

/// Lower-case ASCII slug (letters, digits, single dashes), at most `max` bytes, as Auth0
/// connection and organization names require. Common accented letters are folded so that
/// "Müller" stays recognisable as "muller".
pub(super) fn slug(name: &str, max: usize) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'a'..='z' | '0'..='9' => {
                out.push(c);
                continue;
            }
            'ä' | 'á' | 'à' | 'â' | 'ã' | 'å' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ö' | 'ó' | 'ò' | 'ô' | 'õ' | 'ø' => "o",
            'ü' | 'ú' | 'ù' | 'û' => "u",
            'ß' => "ss",
            'ç' => "c",
            'ł' => "l",
            'ñ' | 'ń' => "n",
            'ź' | 'ż' => "z",
            _ => "-",
        };
        if folded == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(folded);
        }
    }
    out.truncate(max);
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("customer");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_awkward_names_are_valid_auth0_names() {
        assert_eq!(slug("Müller Logistik GmbH", 40), "muller-logistik-gmbh");
        assert_eq!(slug("Pq Labs \"North\"", 40), "pq-labs-north");
        assert_eq!(slug("\"Quoted\" Holdings, LLC", 40), "quoted-holdings-llc");
        assert_eq!(slug("Łódź Software Sp. z o.o.", 40), "lodz-software-sp-z-o-o");
        assert_eq!(slug("<b>", 40), "b");
        assert_eq!(slug("!!!", 40), "customer");
    }
}
