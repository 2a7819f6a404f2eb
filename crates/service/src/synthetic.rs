//! Synthetic data that looks like the Central Mediterranean route, for the
//! demo, tests and benchmarks. Deterministic: the same seed gives the same
//! records, ids included. Nationalities are weighted as in the region's
//! return caseloads, most people are young men, names come from per-country
//! lists with the spellings each country's registries use (Diallo in Guinea,
//! Jallow in The Gambia), and about one person in twelve is registered a
//! second time elsewhere under a variant spelling — as happens on the route.
//! Nothing here is a real person.

use crate::auth::hash_password;
use crate::error::ServiceResult;
use crate::Passage;
use passage_domain::date::{CalendarDate, Timestamp};
use passage_domain::ids::*;
use passage_domain::names;
use passage_domain::policy::{Grant, Offices, Permission, Role};
use passage_storage::bulk::insert_rows;
use passage_storage::records::OfficeRecord;
use passage_storage::registry as reg;
use passage_storage::sealed::Keyring;
use passage_storage::sql::Value;
use passage_storage::users::{self, NewUser};

/// Seeded draws for synthetic data (SplitMix64, so a seed gives the same
/// data set in every version).
pub struct Rng(passage_domain::random::SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(passage_domain::random::SplitMix64::new(seed ^ 0x9E37_79B9_7F4A_7C15))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    pub fn weighted<'a, T>(&mut self, xs: &'a [(T, u32)]) -> &'a T {
        let total: u32 = xs.iter().map(|x| x.1).sum();
        let mut r = self.below(total as u64) as u32;
        for (x, w) in xs {
            if r < *w {
                return x;
            }
            r -= w;
        }
        &xs[0].0
    }
    /// A UUIDv7 whose time part is `at`, so synthetic ids sort like real ones.
    pub fn uuid_at(&mut self, at: Timestamp) -> uuid::Uuid {
        let r = self.next_u64().to_le_bytes();
        let s = self.next_u64().to_le_bytes();
        let mut rand = [0u8; 10];
        rand[..8].copy_from_slice(&r);
        rand[8..].copy_from_slice(&s[..2]);
        uuid::Builder::from_unix_timestamp_millis(at.unix().max(0) as u64 * 1000, &rand).into_uuid()
    }
}

/// Offices in the ten programme countries: country offices and their sites.
pub const OFFICES: &[(&str, &str, &str, &str, Option<i64>)] = &[
    ("NER-NIA", "Niamey country office", "NER", "country_office", None),
    ("NER-AGZ", "Agadez transit centre", "NER", "transit_centre", Some(1000)),
    ("NER-ARL", "Arlit transit centre", "NER", "transit_centre", Some(400)),
    ("NER-DIR", "Dirkou transit centre", "NER", "transit_centre", Some(250)),
    ("NER-NIA-TC", "Niamey transit centre", "NER", "transit_centre", Some(1500)),
    ("MLI-BKO", "Bamako country office", "MLI", "country_office", None),
    ("MLI-GAO", "Gao transit centre", "MLI", "transit_centre", Some(300)),
    ("MLI-BKO-TC", "Bamako transit centre", "MLI", "transit_centre", Some(500)),
    ("BFA-OUA", "Ouagadougou country office", "BFA", "country_office", None),
    ("BFA-BOB", "Bobo-Dioulasso shelter", "BFA", "shelter", Some(120)),
    ("SEN-DKR", "Dakar country office", "SEN", "country_office", None),
    ("SEN-TMB", "Tambacounda shelter", "SEN", "shelter", Some(80)),
    ("GMB-BJL", "Banjul country office", "GMB", "country_office", None),
    ("GIN-CKY", "Conakry country office", "GIN", "country_office", None),
    ("GIN-CKY-TC", "Conakry transit centre", "GIN", "transit_centre", Some(200)),
    ("CIV-ABJ", "Abidjan country office", "CIV", "country_office", None),
    ("LBY-TIP", "Tripoli country office", "LBY", "country_office", None),
    ("LBY-SEB", "Sabha sub-office", "LBY", "sub_office", None),
    ("DZA-ALG", "Algiers country office", "DZA", "country_office", None),
    ("DZA-TAM", "Tamanrasset sub-office", "DZA", "sub_office", None),
    ("MAR-RBA", "Rabat country office", "MAR", "country_office", None),
    ("MAR-OUD", "Oujda sub-office", "MAR", "sub_office", None),
];

/// Where migrants are registered (transit and return points weigh most).
const REGISTRATION_OFFICES: &[(&str, u32)] = &[
    ("NER-AGZ", 22),
    ("NER-NIA-TC", 14),
    ("NER-ARL", 6),
    ("NER-DIR", 3),
    ("MLI-GAO", 6),
    ("MLI-BKO-TC", 6),
    ("LBY-TIP", 12),
    ("LBY-SEB", 4),
    ("BFA-BOB", 3),
    ("SEN-TMB", 3),
    ("GIN-CKY-TC", 8),
    ("GMB-BJL", 4),
    ("CIV-ABJ", 3),
    ("DZA-TAM", 3),
    ("MAR-OUD", 3),
];

pub(crate) const NATIONALITIES: &[(&str, u32)] = &[
    ("GIN", 18),
    ("MLI", 14),
    ("CIV", 10),
    ("NGA", 10),
    ("SEN", 9),
    ("GMB", 8),
    ("CMR", 6),
    ("BFA", 5),
    ("SLE", 5),
    ("SDN", 4),
    ("NER", 3),
    ("GHA", 3),
    ("LBR", 2),
    ("TCD", 2),
    ("BEN", 1),
    ("TGO", 1),
];

/// Family names by nationality, in each country's usual spelling.
pub fn family_names(nat: &str) -> &'static [&'static str] {
    match nat {
        "GIN" => &[
            "Diallo",
            "Barry",
            "Bah",
            "Camara",
            "Condé",
            "Sylla",
            "Soumah",
            "Bangoura",
            "Keïta",
            "Touré",
            "Sow",
            "Baldé",
            "Kouyaté",
            "Traoré",
            "Kourouma",
            "Doumbouya",
            "Cissé",
            "Fofana",
            "Kaba",
            "Sacko",
        ],
        "MLI" => &[
            "Traoré",
            "Coulibaly",
            "Diarra",
            "Keïta",
            "Konaté",
            "Sidibé",
            "Diakité",
            "Doumbia",
            "Sissoko",
            "Dembélé",
            "Cissé",
            "Touré",
            "Maïga",
            "Kanté",
            "Sangaré",
            "Ballo",
            "Samaké",
            "Diallo",
            "Haïdara",
            "Kouyaté",
        ],
        "SEN" => &[
            "Diop", "Ndiaye", "Fall", "Sow", "Diallo", "Ba", "Gueye", "Faye", "Sarr", "Mbaye", "Cissé", "Diouf", "Thiam", "Seck", "Sy",
            "Ndour", "Camara", "Sall", "Kane", "Dieng",
        ],
        "GMB" => &[
            "Jallow", "Ceesay", "Bah", "Touray", "Sanneh", "Jammeh", "Darboe", "Manneh", "Bojang", "Jobe", "Sowe", "Njie", "Conteh",
            "Sillah", "Trawally", "Fofana", "Drammeh", "Colley", "Kuyateh", "Jatta",
        ],
        "SLE" => &[
            "Kamara", "Sesay", "Conteh", "Bangura", "Koroma", "Kargbo", "Turay", "Mansaray", "Jalloh", "Bah", "Kanu", "Fofanah", "Dumbuya",
            "Sankoh", "Kallon",
        ],
        "CIV" => &[
            "Koné",
            "Ouattara",
            "Coulibaly",
            "Traoré",
            "Yao",
            "Kouassi",
            "Konan",
            "Bamba",
            "Koffi",
            "Diabaté",
            "Touré",
            "Kouamé",
            "Soro",
            "Silué",
            "Doumbia",
            "Diomandé",
            "Fofana",
            "Cissé",
        ],
        "NGA" => &[
            "Okafor",
            "Adeyemi",
            "Okonkwo",
            "Ibrahim",
            "Musa",
            "Bello",
            "Eze",
            "Ogunleye",
            "Abubakar",
            "Osagie",
            "Igbinedion",
            "Okoro",
            "Obi",
            "Aliyu",
            "Uwaifo",
            "Omoregie",
            "Yusuf",
            "Adebayo",
        ],
        "CMR" => &[
            "Ngono", "Mbarga", "Atangana", "Fotso", "Tchoupo", "Nkoulou", "Kamga", "Njoya", "Essomba", "Tchamba", "Abena", "Mvondo",
            "Nana", "Tagne",
        ],
        "BFA" => &[
            "Ouédraogo",
            "Sawadogo",
            "Compaoré",
            "Kaboré",
            "Zongo",
            "Traoré",
            "Ouattara",
            "Sanou",
            "Kinda",
            "Tapsoba",
            "Nikiéma",
            "Ilboudo",
            "Diallo",
            "Bamogo",
        ],
        "SDN" => &[
            "Ahmed",
            "Mohamed",
            "Ibrahim",
            "Osman",
            "Abdallah",
            "Hassan",
            "Adam",
            "Ismail",
            "Yousif",
            "Musa",
            "Abdelrahman",
            "Idris",
            "Suleiman",
            "Babiker",
        ],
        "NER" => &[
            "Issoufou",
            "Moussa",
            "Abdou",
            "Harouna",
            "Oumarou",
            "Mahamadou",
            "Seyni",
            "Hamani",
            "Boubacar",
            "Garba",
            "Idrissa",
            "Souley",
            "Maïga",
            "Ibrahim",
        ],
        "GHA" => {
            &["Mensah", "Owusu", "Boateng", "Asante", "Osei", "Appiah", "Agyeman", "Amoah", "Adjei", "Danso", "Ofori", "Nkrumah", "Yeboah"]
        }
        "LBR" => &["Kollie", "Flomo", "Kpoto", "Johnson", "Sirleaf", "Dolo", "Kromah", "Kamara", "Massaquoi", "Cooper", "Togba"],
        "TCD" => &["Mahamat", "Abakar", "Hassane", "Idriss", "Adoum", "Haroun", "Saleh", "Oumar", "Brahim", "Ali", "Djibrine"],
        "BEN" => &["Houngbédji", "Dossou", "Agbodjan", "Adjovi", "Sossa", "Gbaguidi", "Akpovi", "Zinsou", "Ahouansou"],
        _ => &["Agbeko", "Amouzou", "Koffi", "Adjo", "Mensah", "Kossi", "Dogbé", "Lawson", "Agbéyomé"],
    }
}

pub fn given_names(nat: &str, female: bool) -> &'static [&'static str] {
    let anglophone = matches!(nat, "GMB" | "SLE" | "NGA" | "GHA" | "LBR");
    let arab = matches!(nat, "SDN" | "TCD");
    match (female, anglophone, arab) {
        (false, _, true) => &[
            "Mohamed", "Ahmed", "Osman", "Abdallah", "Ibrahim", "Hassan", "Adam", "Ismail", "Yousif", "Musa", "Khalid", "Omar", "Ali",
            "Mahamat", "Abakar", "Idriss",
        ],
        (true, _, true) => &["Fatima", "Aisha", "Mariam", "Khadija", "Amna", "Hawa", "Zeinab", "Halima", "Asha", "Safia"],
        (false, true, _) => &[
            "Lamin", "Ebrima", "Modou", "Momodou", "Abdoulie", "Bakary", "Musa", "Alhagie", "Ousman", "Mohammed", "Alusine", "Mohamed",
            "Ibrahim", "Samuel", "John", "Emmanuel", "Chinedu", "Yusuf", "Kwame", "Kofi", "Abubakar", "Sheku", "Alieu", "Bubacarr",
        ],
        (true, true, _) => &[
            "Fatou", "Isatou", "Mariama", "Awa", "Binta", "Aminata", "Haddy", "Kaddy", "Blessing", "Joy", "Mercy", "Fatmata", "Adama",
            "Esther", "Abena", "Ngozi",
        ],
        (false, false, _) => &[
            "Mamadou",
            "Mohamed",
            "Ousmane",
            "Ibrahima",
            "Abdoulaye",
            "Moussa",
            "Amadou",
            "Alpha",
            "Sekou",
            "Boubacar",
            "Souleymane",
            "Lamine",
            "Issa",
            "Seydou",
            "Adama",
            "Oumar",
            "Cheikh",
            "Modou",
            "Idrissa",
            "Aboubacar",
            "Yacouba",
            "Salif",
            "Bakary",
            "Youssouf",
            "Mamadou Saliou",
            "Mohamed Lamine",
            "Thierno",
            "Alassane",
            "Drissa",
            "Karim",
        ],
        (true, false, _) => &[
            "Fatoumata",
            "Aïssatou",
            "Mariama",
            "Kadiatou",
            "Aminata",
            "Hawa",
            "Oumou",
            "Fanta",
            "Mariam",
            "Binta",
            "Assitan",
            "Djénéba",
            "Awa",
            "Rokia",
            "Salimata",
            "Nafissatou",
            "Ramatoulaye",
            "Adja",
        ],
    }
}

/// How a second registration elsewhere spells the same name (also used by
/// the search benchmark to make variant queries).
pub fn respell(w: &str, rng: &mut Rng) -> String {
    const SWAPS: &[(&str, &[&str])] = &[
        ("Diallo", &["Jallow", "Djalo", "Jalloh", "DIALLO"]),
        ("Jallow", &["Diallo", "Jalloh"]),
        ("Mamadou", &["Mamadu", "Mohamadou", "Mamoudou"]),
        ("Mohamed", &["Mohammed", "Muhammad", "Mohamad"]),
        ("Ousmane", &["Usman", "Ousman", "Othman"]),
        ("Traoré", &["Traore", "Trawally"]),
        ("Cissé", &["Cisse", "Sesay", "Ceesay"]),
        ("Ceesay", &["Cissé", "Sesay"]),
        ("Keïta", &["Keita", "Keyta"]),
        ("Ibrahima", &["Ibrahim", "Ebrima"]),
        ("Abdoulaye", &["Abdullahi", "Abdoulahi"]),
        ("Aïssatou", &["Aissatou", "Aissata", "Aisha"]),
        ("Fatoumata", &["Fatimata", "Fatou", "Fatumata"]),
        ("Touré", &["Toure", "Touray"]),
        ("Souleymane", &["Suleiman", "Soulemane"]),
        ("Youssouf", &["Yusuf", "Youssef"]),
        ("Moussa", &["Musa"]),
        ("Ndiaye", &["N'Diaye", "Njie"]),
    ];
    if let Some((_, alts)) = SWAPS.iter().find(|(k, _)| *k == w) {
        return rng.pick(alts).to_string();
    }
    // Otherwise a typing variant: accents dropped or upper case.
    let folded: String = names::fold_words(w).join(" ");
    if rng.chance(0.5) {
        folded.to_uppercase()
    } else {
        let mut c = folded.chars();
        c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
    }
}

/// What `generate` made.
#[derive(Debug, Default, Clone, Copy)]
pub struct Generated {
    pub persons: u64,
    pub cases: u64,
    pub screenings: u64,
    pub assistance: u64,
    pub incidents: u64,
    pub flow_counts: u64,
    pub calls: u64,
}

pub const DEMO_PASSWORD: &str = "passage-demo-2026";

/// The demo logins: (username, display name, role, office codes).
/// Demo users: username, name, role, office codes (none: every office).
pub const DEMO_USERS: &[(&str, &str, Role, &[&str])] = &[
    ("admin", "Aminata Admin", Role::Admin, &[]),
    ("protection", "Hadiza Protection Officer (Agadez)", Role::ProtectionOfficer, &["NER-AGZ", "NER-ARL"]),
    ("monitoring", "Moussa M&E Officer", Role::MeOfficer, &[]),
    ("viewer", "Claire Programme Viewer", Role::ProgrammeViewer, &[]),
    ("agadez", "Ibrahim Caseworker (Agadez)", Role::Caseworker, &["NER-AGZ", "NER-ARL"]),
    ("movements", "Issa Movement Officer (Niger)", Role::MovementOfficer, &["NER-AGZ", "NER-ARL", "NER-NIA", "NER-NIA-TC"]),
    ("reintegration", "Aissata Reintegration Officer (Guinea)", Role::ReintegrationOfficer, &["GIN-CKY", "GIN-CKY-TC"]),
    ("niamey", "Mariama Caseworker (Niamey)", Role::Caseworker, &["NER-NIA", "NER-NIA-TC"]),
    ("tripoli", "Salma Caseworker (Tripoli)", Role::Caseworker, &["LBY-TIP", "LBY-SEB"]),
    ("conakry", "Alpha Caseworker (Conakry)", Role::Caseworker, &["GIN-CKY", "GIN-CKY-TC"]),
    ("bamako", "Oumar Caseworker (Bamako)", Role::Caseworker, &["MLI-BKO", "MLI-BKO-TC", "MLI-GAO"]),
];

impl Passage {
    /// Create the offices and demo users if they are not there yet.
    pub async fn seed_reference_data(&self) -> ServiceResult<Vec<OfficeRecord>> {
        let mut c = self.db.reader().acquire().await?;
        let existing = reg::list_offices(&mut c).await?;
        drop(c);
        let now = Timestamp::from_unix(1_514_764_800).unwrap_or_else(Timestamp::now);
        let mut tx = self.db.begin().await?;
        for (code, name, country, kind, cap) in OFFICES {
            if existing.iter().any(|o| o.code == *code) {
                continue;
            }
            let o = passage_domain::office::OfficeInput {
                code: code.to_string(),
                name: name.to_string(),
                country: country.to_string(),
                kind: kind.to_string(),
                capacity: cap.map(|c| c.to_string()).unwrap_or_default(),
            }
            .parse()?;
            reg::insert_office(&mut tx, OfficeId::new(), &o, now).await?;
        }
        tx.commit().await?;
        let mut c = self.db.reader().acquire().await?;
        let offices = reg::list_offices(&mut c).await?;
        let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD)).await.map_err(|_| crate::ServiceError::Hashing)??;
        for (username, display, role, codes) in DEMO_USERS {
            if users::get_user_by_username(&mut c, username).await?.is_some() {
                continue;
            }
            let reach = if codes.is_empty() {
                Offices::All
            } else {
                Offices::Only(codes.iter().filter_map(|code| offices.iter().find(|o| o.code == *code).map(|o| o.id)).collect())
            };
            let grants = [Grant { role: *role, offices: reach }];
            let mut tx = self.db.begin().await?;
            users::insert_user(
                &mut tx,
                &NewUser { id: UserId::new(), username, display_name: display, password_hash: &hash, locale: "en", grants: &grants },
                Timestamp::now(),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(offices)
    }

    /// Add `persons` synthetic persons with their cases, screenings,
    /// assistance and notes, in batches of one transaction each.
    pub async fn generate(&self, persons: u64, seed: u64, progress: impl FnMut(u64)) -> ServiceResult<Generated> {
        self.generate_with(persons, seed, true, progress).await
    }

    /// The same, with or without the route data (incidents and flow counts).
    pub async fn generate_with(
        &self,
        persons: u64,
        seed: u64,
        route_data: bool,
        mut progress: impl FnMut(u64),
    ) -> ServiceResult<Generated> {
        let offices = self.seed_reference_data().await?;
        let mut c = self.db.reader().acquire().await?;
        let staff = users::list_users(&mut c).await?;
        drop(c);
        let mut rng = Rng::new(seed);
        let mut out = Generated::default();
        let batch = 10_000u64;
        let mut done = 0u64;
        let mut counter: std::collections::HashMap<(OfficeId, i32), i64> = Default::default();
        // Continue reference numbering after anything already there.
        let mut c = self.db.reader().acquire().await?;
        let base = reg::count(&mut c, "cases").await?;
        drop(c);
        while done < persons {
            let target = (done + batch).min(persons);
            let mut b = Batch::default();
            while out.persons < target {
                // A re-registration counts as a person (it is a record), so
                // it is only made when there is room for it.
                let room_for_two = persons - out.persons >= 2;
                make_person(&mut rng, &offices, &staff, &mut b, &mut counter, base, room_for_two, &mut out);
            }
            let mut tx = self.db.begin_bulk().await?;
            b.write(&mut tx, &self.keys).await?;
            tx.commit().await?;
            done = target;
            progress(done);
        }
        self.db.end_bulk().await?;
        self.generate_activities(&offices, &staff, &mut rng).await?;
        let (incidents, flow_counts) = if route_data { self.generate_route_data(seed).await? } else { (0, 0) };
        out.incidents = incidents;
        out.flow_counts = flow_counts;
        out.calls = self.generate_desk(&offices, &staff, seed).await?;
        // Bulk rows bypass the per-write refresh: recount once.
        self.rebuild_figures().await?;
        // Synthetic records are one bulk load: one entry says so.
        let mut tx = self.db.begin().await?;
        let changes = serde_json::json!({"persons": [null, out.persons], "cases": [null, out.cases], "seed": [null, seed]});
        crate::audit::record(&mut tx, None, "data.generate", String::new(), None, changes).await?;
        tx.commit().await?;
        self.db.analyze().await?;
        Ok(out)
    }
}

/// The desks that answer the phone at night, with their calls per day.
const DESKS: &[(&str, u64)] = &[("NER-AGZ", 14), ("NER-NIA-TC", 8), ("LBY-TIP", 6), ("MLI-GAO", 3)];

const CALL_NOTES: &[&str] = &[
    "Asks when the next convoy to Conakry leaves; told to come to the centre on Monday.",
    "Brother stranded in Sabha, no money for food; gave the desk's number again.",
    "Wants to know if his papers can be replaced before the return.",
    "Mother of a young man last heard from in Dirkou two weeks ago.",
    "Demande s'il peut rentrer avec sa femme et ses deux enfants.",
    "Group of twelve stopped at a checkpoint north of Arlit, asking what to do.",
    "Complains that the food distribution skipped his block.",
    "Pregnant woman with pains, in a ghetto in Agadez; partner clinic told.",
];

impl Passage {
    /// Four weeks of the hotline desks' calls up to today, as a desk sees
    /// them (most followed up within hours, some still open, none in the
    /// protection queue: the protection calls are all taken on). Made once
    /// per database, from a stream of its own so the rest of the data stays
    /// as the seed made it.
    async fn generate_desk(
        &self,
        offices: &[OfficeRecord],
        staff: &[passage_storage::records::UserRecord],
        seed: u64,
    ) -> ServiceResult<u64> {
        use passage_domain::hotline::{goes_to_protection, CallerKind, Channel, Topic, Urgency};
        let mut c = self.db.reader().acquire().await?;
        if reg::count(&mut c, "hotline_calls").await? > 0 {
            return Ok(0);
        }
        drop(c);
        let mut rng = Rng::new(seed ^ 0x00de_5c00);
        let now = Timestamp::now();
        let today = now.date();
        let mut rows = Vec::new();
        for (code, per_day) in DESKS {
            let Some(office) = offices.iter().find(|o| o.code == *code) else { continue };
            let takers: Vec<_> = staff.iter().filter(|u| works_in(u, office.id, Permission::AnswerHotline)).map(|u| u.id).collect();
            let Some(&taker) = takers.first() else { continue };
            for day in 0..28i64 {
                let date = today.add_days(-day);
                for _ in 0..(per_day / 2 + rng.below(*per_day + 1)) {
                    let midnight = Timestamp::from_unix(now.unix() - day * 86_400 - (now.unix() % 86_400)).unwrap_or(now);
                    let at = Timestamp::from_unix(midnight.unix() + rng.below(86_400) as i64).unwrap_or(now);
                    if at > now {
                        continue;
                    }
                    let topic = *rng.weighted(&[
                        (Topic::Information, 34),
                        (Topic::ReturnRequest, 22),
                        (Topic::MissingRelative, 12),
                        (Topic::Detention, 6),
                        (Topic::Complaint, 8),
                        (Topic::MedicalEmergency, 6),
                        (Topic::TraffickingReport, 4),
                        (Topic::ChildAlone, 3),
                    ]);
                    let urgency = if rng.chance(0.08) { Urgency::Urgent } else { Urgency::Routine };
                    let protection = goes_to_protection(topic, urgency);
                    let channel = *rng.weighted(&[(Channel::Phone, 60), (Channel::WhatsApp, 25), (Channel::Sms, 8), (Channel::WalkIn, 7)]);
                    let caller = *rng.weighted(&[
                        (CallerKind::Migrant, 62),
                        (CallerKind::Relative, 24),
                        (CallerKind::Partner, 8),
                        (CallerKind::Authority, 3),
                        (CallerKind::Other, 3),
                    ]);
                    let language = *rng.weighted(&[
                        ("hau", 20),
                        ("fra", 22),
                        ("eng", 14),
                        ("bam", 12),
                        ("ara", 12),
                        ("fuf", 10),
                        ("tir", 4),
                        ("wol", 6),
                    ]);
                    // A follow-up for most: within hours, done unless it is due in the last day.
                    let follows = protection || rng.chance(0.6);
                    let due = follows.then(|| Timestamp::from_unix(at.unix() + 1800 + rng.below(20 * 3600) as i64).unwrap_or(at));
                    let done = due.filter(|d| protection || d.unix() < now.unix() - 86_400 || rng.chance(0.5)).map(|d| {
                        let lag = if protection { rng.below(3 * 3600) } else { rng.below(30 * 3600) } as i64;
                        Timestamp::from_unix((d.unix() - 1800 + lag).min(now.unix()).max(at.unix())).unwrap_or(d)
                    });
                    let id = CallId::from_uuid(rng.uuid_at(at));
                    let note = rng.chance(0.7).then(|| rng.pick(CALL_NOTES).to_string());
                    let opt = |v: Option<String>| v.map(Value::Text).unwrap_or(Value::Null);
                    rows.push(vec![
                        t(id),
                        t(office.id),
                        t(at),
                        t(date),
                        Value::Int(1 + rng.below(25) as i64),
                        t(channel.as_str()),
                        t(language),
                        t(caller.as_str()),
                        t(topic.as_str()),
                        t(urgency.as_str()),
                        Value::Int(i64::from(protection)),
                        opt(note),
                        opt(due.map(|d| d.to_string())),
                        opt(done.map(|d| d.to_string())),
                        opt(done.map(|_| taker.to_string())),
                        t(taker),
                        t(at),
                    ]);
                }
            }
        }
        seal_column(&self.keys, &mut rows, 11, |id: CallId| format!("hotline_calls.notes:{id}"));
        let n = rows.len() as u64;
        let mut tx = self.db.begin_bulk().await?;
        insert_rows(
            &mut tx,
            "hotline_calls",
            &[
                "id",
                "office_id",
                "at",
                "day",
                "minutes",
                "channel",
                "language",
                "caller",
                "topic",
                "urgency",
                "protection",
                "notes",
                "follow_up_due",
                "done_at",
                "done_by",
                "taken_by",
                "created_at",
            ],
            rows,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Route data beside the records: missing-migrant incidents over the
    /// programme's years and twelve weeks of flow counts at six transit
    /// points, through the same readers a real file meets. Made once per
    /// database (a second run finds them and adds none).
    async fn generate_route_data(&self, seed: u64) -> ServiceResult<(u64, u64)> {
        let mut c = self.db.reader().acquire().await?;
        let has_incidents = passage_storage::incidents::count(&mut c).await? > 0;
        let has_flows = !passage_storage::flows::points(&mut c).await?.is_empty();
        drop(c);
        let today = passage_domain::date::CalendarDate::today();
        let mut made = (0, 0);
        if !has_incidents {
            let incidents = crate::incidents::synthetic_incidents(seed, 1_500, 2019..=today.year(), true);
            let file = crate::incidents::write_mmp(&incidents);
            made.0 = self.import_incidents(None, file.as_bytes(), false).await?.added as u64;
        }
        if !has_flows {
            let file = crate::flows::synthetic_flow_file(seed, 12 * 1152, today.add_days(-1), false);
            made.1 = self.import_flows(None, file.as_bytes(), false).await?.added as u64;
        }
        Ok(made)
    }

    /// The programme's activities that count people rather than persons, of
    /// the order of the seeds' key achievements (some 8,000 rescued, 230,000
    /// reached with information, 2,000 trained, 10 shelters, 150 studies)
    /// over the programme's period. Made once per database.
    async fn generate_activities(
        &self,
        offices: &[OfficeRecord],
        staff: &[passage_storage::records::UserRecord],
        rng: &mut Rng,
    ) -> ServiceResult<()> {
        let mut c = self.db.reader().acquire().await?;
        if reg::count(&mut c, "campaign_events").await? > 0 {
            return Ok(());
        }
        drop(c);
        let Some(by) = staff.first().map(|u| u.id) else { return Ok(()) };
        let start = CalendarDate::from_ymd(2018, 4, 1).expect("valid");
        let day = |rng: &mut Rng| start.add_days(rng.below(1_370) as i64);
        let at = |d: CalendarDate| t(format!("{d}T09:00:00Z"));
        let id = |rng: &mut Rng| {
            t(uuid::Builder::from_random_bytes(rng.next_u64().to_le_bytes().repeat(2).try_into().expect("16 bytes")).into_uuid())
        };
        let of = |codes: &[&str]| -> Vec<&OfficeRecord> { offices.iter().filter(|o| codes.contains(&o.code.as_str())).collect() };
        let desert = of(&["NER-AGZ", "NER-ARL", "NER-DIR"]);
        let mut sar = Vec::new();
        for _ in 0..420 {
            let Some(o) = desert.get(rng.below(desert.len().max(1) as u64) as usize) else { break };
            let d = day(rng);
            // Around Agadez–Dirkou: 17–21° N, 8–13° E.
            let (lat, lon) = (17_000_000 + rng.below(4_000_000) as i64, 8_000_000 + rng.below(5_000_000) as i64);
            sar.push(vec![id(rng), t(o.id), t(d), Value::Int(lat), Value::Int(lon), Value::Int(4 + rng.below(33) as i64), t(by), at(d)]);
        }
        let mut campaigns = Vec::new();
        for _ in 0..620 {
            let o = rng.pick(offices);
            let d = day(rng);
            let kind = *rng.pick(&[
                "community_meeting",
                "radio_programme",
                "film_screening",
                "school_club",
                "football_tournament",
                "social_media",
            ]);
            let reached = 50 + rng.below(650) as i64;
            let women = reached * (30 + rng.below(20) as i64) / 100;
            campaigns.push(vec![
                id(rng),
                t(o.id),
                t(d),
                t(kind),
                t(&o.name),
                Value::Int(reached),
                Value::Int(women),
                Value::Int(reached - women),
                Value::NullInt,
                Value::NullInt,
                t(by),
                at(d),
            ]);
        }
        let mut trainings = Vec::new();
        for _ in 0..100 {
            let o = rng.pick(offices);
            let d = day(rng);
            let topic = *rng.pick(&[
                "Identifying victims of trafficking",
                "Protection of children on the move",
                "Psychological first aid",
                "Migrants' rights at borders",
                "Case management",
            ]);
            let n = 10 + rng.below(21) as i64;
            let gov = n * 3 / 10;
            let cso = n / 5;
            let health = n / 5;
            let border = n / 10;
            trainings.push(vec![
                id(rng),
                t(o.id),
                t(d),
                t(topic),
                Value::Int(n),
                Value::Int(gov),
                Value::Int(cso),
                Value::Int(n - gov - cso - health - border),
                Value::Int(health),
                Value::Int(border),
                Value::NullInt,
                Value::NullInt,
                t(by),
                at(d),
            ]);
        }
        let mut works = Vec::new();
        for code in ["MLI-GAO", "MLI-BKO-TC", "NER-AGZ", "NER-ARL", "NER-DIR", "BFA-BOB", "SEN-TMB", "GMB-BJL", "GIN-CKY-TC", "NER-NIA-TC"]
        {
            if let Some(o) = of(&[code]).first() {
                let d = day(rng);
                works.push(vec![id(rng), t(o.id), t(d), t(&o.name), t(*rng.pick(&["renovated", "refurbished"])), t(by), at(d)]);
            }
        }
        let mut resources = Vec::new();
        let mut files: Vec<Vec<Value>> = Vec::new();
        for i in 0..152 {
            let o = rng.pick(offices);
            let d = day(rng);
            let kind = *rng.weighted(&[("data_update", 60), ("infographic", 40), ("data_briefing", 35), ("study", 17)]);
            let title = format!(
                "{} {} — {}",
                o.country.names().en,
                d.year(),
                match kind {
                    "study" => "study on migration decisions",
                    "data_briefing" => "data briefing on flows through the Sahel",
                    "infographic" => "infographic: returns and reintegration",
                    _ => "flow monitoring data update",
                }
            );
            let rid = id(rng);
            // Each product comes with a small file: a CSV of monthly figures for data updates, a summary otherwise.
            let country = o.country.as_str().to_lowercase();
            let (name, content_type, body) = if kind == "data_update" {
                let mut csv = String::from("month,arrivals,departures\n#date+month,#inneed+arrived,#inneed+departed\n");
                for m in 1..=12 {
                    csv.push_str(&format!("{}-{m:02},{},{}\n", d.year(), 200 + rng.below(800), 150 + rng.below(700)));
                }
                (format!("{country}-{}-data-update-{}.csv", d.year(), i + 1), "text/csv; charset=utf-8", csv)
            } else {
                let text = format!("{title}\n\nA synthetic product of the demonstration data.\n");
                (format!("{country}-{}-{kind}-{}.txt", d.year(), i + 1), "text/plain; charset=utf-8", text)
            };
            files.push(vec![rid.clone(), t(content_type), Value::Blob(body.into_bytes())]);
            resources.push(vec![rid, t(o.id), t(format!("{title} ({})", i + 1)), t(kind), t(o.country), t(d), t(name), t(by), at(d)]);
        }
        let mut tx = self.db.begin().await?;
        insert_rows(
            &mut tx,
            "sar_operations",
            &["id", "office_id", "held_on", "latitude_e6", "longitude_e6", "people_found", "recorded_by", "created_at"],
            sar,
        )
        .await?;
        insert_rows(
            &mut tx,
            "campaign_events",
            &[
                "id",
                "office_id",
                "held_on",
                "kind",
                "place",
                "people_reached",
                "women",
                "men",
                "girls",
                "boys",
                "recorded_by",
                "created_at",
            ],
            campaigns,
        )
        .await?;
        insert_rows(
            &mut tx,
            "trainings",
            &[
                "id",
                "office_id",
                "held_on",
                "topic",
                "participants",
                "government",
                "civil_society",
                "ngo",
                "health_workers",
                "border_officials",
                "women",
                "men",
                "recorded_by",
                "created_at",
            ],
            trainings,
        )
        .await?;
        insert_rows(&mut tx, "shelter_works", &["id", "office_id", "completed_on", "shelter", "kind", "recorded_by", "created_at"], works)
            .await?;
        insert_rows(
            &mut tx,
            "resources",
            &["id", "office_id", "title", "kind", "countries", "published_on", "file_name", "recorded_by", "created_at"],
            resources,
        )
        .await?;
        insert_rows(&mut tx, "resource_files", &["resource_id", "content_type", "bytes"], files).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Seal the text in column `col` of each row, bound to the row's id (column 0).
fn seal_column<I: std::str::FromStr>(keys: &Keyring, rows: &mut [Vec<Value>], col: usize, place: impl Fn(I) -> String) {
    for r in rows {
        if let (Value::Text(id), Value::Text(plain)) = (&r[0], &r[col]) {
            if let Ok(id) = id.parse::<I>() {
                r[col] = Value::Text(keys.seal(&place(id), plain));
            }
        }
    }
}

#[derive(Default)]
struct Batch {
    persons: Vec<Vec<Value>>,
    names: Vec<Vec<Value>>,
    keys: Vec<Vec<Value>>,
    docs: Vec<Vec<Value>>,
    cases: Vec<Vec<Value>>,
    history: Vec<Vec<Value>>,
    screenings: Vec<Vec<Value>>,
    findings: Vec<Vec<Value>>,
    assistance: Vec<Vec<Value>>,
    notes: Vec<Vec<Value>>,
    plans: Vec<Vec<Value>>,
    beneficiaries: Vec<Vec<Value>>,
    consents: Vec<Vec<Value>>,
}

impl Batch {
    async fn write(mut self, c: &mut sqlx::AnyConnection, keys: &Keyring) -> ServiceResult<()> {
        // Sealed columns are sealed here, as the one-by-one writes do (see `passage_storage::sealed`).
        seal_column(keys, &mut self.docs, 3, reg::document_place);
        seal_column(keys, &mut self.notes, 2, reg::note_place);
        use passage_storage::registrations as cols;
        insert_rows(c, "persons", &cols::PERSON_COLUMNS, self.persons).await?;
        insert_rows(c, "person_names", &cols::NAME_COLUMNS, self.names).await?;
        insert_rows(c, "person_search_keys", &cols::KEY_COLUMNS, self.keys).await?;
        insert_rows(
            c,
            "consents",
            &["id", "person_id", "kind", "partner", "method", "given_on", "withdrawn_on", "recorded_by", "created_at"],
            self.consents,
        )
        .await?;
        insert_rows(c, "identity_documents", &cols::DOCUMENT_COLUMNS, self.docs).await?;
        let case_columns: Vec<&str> = cols::CASE_COLUMNS.iter().copied().chain(["closed_on"]).collect();
        insert_rows(c, "cases", &case_columns, self.cases).await?;
        insert_rows(
            c,
            "reintegration_plans",
            &["id", "kind", "office_id", "title", "status", "created_by", "created_at", "updated_at"],
            self.plans,
        )
        .await?;
        insert_rows(c, "plan_beneficiaries", &["plan_id", "case_id"], self.beneficiaries).await?;
        insert_rows(c, "case_status_history", &cols::HISTORY_COLUMNS, self.history).await?;
        insert_rows(c, "screenings", &cols::SCREENING_COLUMNS, self.screenings).await?;
        insert_rows(c, "screening_findings", &cols::FINDING_COLUMNS, self.findings).await?;
        insert_rows(
            c,
            "assistance",
            &[
                "id",
                "case_id",
                "kind",
                "provided_on",
                "quantity",
                "unit",
                "place",
                "provider",
                "cost",
                "currency",
                "recorded_by",
                "created_at",
            ],
            self.assistance,
        )
        .await?;
        insert_rows(c, "case_notes", &["id", "case_id", "body", "author", "created_at"], self.notes).await?;
        Ok(())
    }
}

fn t(s: impl ToString) -> Value {
    Value::Text(s.to_string())
}

const NOTES: &[&str] = &[
    "Arrived with a group from the north; tired, asks to call family.",
    "Counselled on return options; will think about it.",
    "Referred to the health post for follow-up of a foot wound.",
    "Family contacted by phone; they agree to receive him.",
    "Lost documents on the way; embassy contacted for a laissez-passer.",
    "Wants to continue the journey; informed of the risks in the desert.",
];

#[allow(clippy::too_many_arguments)]
fn make_person(
    rng: &mut Rng,
    offices: &[OfficeRecord],
    staff: &[passage_storage::records::UserRecord],
    b: &mut Batch,
    counter: &mut std::collections::HashMap<(OfficeId, i32), i64>,
    base: i64,
    room_for_two: bool,
    out: &mut Generated,
) {
    let nat = *rng.weighted(NATIONALITIES);
    let r = rng.below(100);
    let (sex, female) = if r < 80 {
        ("male", false)
    } else if r < 98 {
        ("female", true)
    } else {
        ("unknown", false)
    };
    let child = rng.chance(0.09);
    // Registration between 2018-01-01 and 2021-12-31.
    let day = rng.below(4 * 365) as i64;
    let registered = CalendarDate::from_ymd(2018, 1, 1).expect("valid").add_days(day);
    let at = Timestamp::from_unix(1_514_764_800 + day * 86_400 + 8 * 3600 + rng.below(9 * 3600) as i64).unwrap_or_else(Timestamp::now);
    let age = if child {
        12 + rng.below(6) as i32
    } else if rng.chance(0.85) {
        18 + rng.below(18) as i32
    } else {
        36 + rng.below(30) as i32
    };
    let birth_year = registered.year() - age;
    let precision = *rng.weighted(&[("exact", 45), ("year", 30), ("estimated", 25)]);
    let birth = match precision {
        "exact" => CalendarDate::from_ymd(birth_year, 1 + rng.below(12) as u8, 1 + rng.below(28) as u8),
        _ => CalendarDate::from_ymd(birth_year, 1, 1),
    }
    .expect("valid date");
    let given = rng.pick(given_names(nat, female)).to_string();
    let family = rng.pick(family_names(nat)).to_string();
    let office_code = *rng.weighted(REGISTRATION_OFFICES);
    let office = offices.iter().find(|o| o.code == office_code).expect("seeded office");
    let again = rng.chance(0.08) && room_for_two;
    let registrations = if again { 2 } else { 1 };
    for reg_i in 0..registrations {
        let (given, family, office, at, registered, precision, birth) = if reg_i == 0 {
            (given.clone(), family.clone(), office, at, registered, precision, birth)
        } else {
            // The same human, registered again later and elsewhere, spelled another way.
            let other = offices
                .iter()
                .filter(|o| o.id != office.id && o.kind.as_str() != "country_office")
                .nth(rng.below(10) as usize)
                .unwrap_or(office);
            let later = 20 + rng.below(300) as i64;
            let g = given.split(' ').map(|w| if rng.chance(0.6) { respell(w, rng) } else { w.to_string() }).collect::<Vec<_>>().join(" ");
            let f = if rng.chance(0.7) { respell(&family, rng) } else { family.clone() };
            let bd = CalendarDate::from_ymd(birth.year() + if rng.chance(0.2) { 1 } else { 0 }, 1, 1).expect("valid");
            (g, f, other, Timestamp::from_unix(at.unix() + later * 86_400).unwrap_or(at), registered.add_days(later), "year", bd)
        };
        let pid = PersonId::from_uuid(rng.uuid_at(at));
        let creator = staff
            .iter()
            .find(|u| works_in(u, office.id, Permission::WriteCases))
            .or_else(|| staff.first())
            .map(|u| u.id)
            .unwrap_or_default();
        let display = format!("{given} {}", family.to_uppercase());
        let phone = rng.chance(0.6).then(|| mobile_number(nat, rng.below(100_000_000)));
        let at_s = at.to_string();
        b.persons.push(vec![
            t(pid),
            t(&display),
            t(sex),
            t(birth),
            t(precision),
            Value::Int(birth.year() as i64),
            t(nat),
            t(language_of(nat)),
            phone.clone().map(Value::Text).unwrap_or(Value::Null),
            t(office.id),
            t(creator),
            t(&at_s),
            t(&at_s),
        ]);
        b.names.push(vec![t(pid), Value::Int(0), t(&given), t(&family), t("primary")]);
        // Most who leave a number agree to be contacted again (a crisis
        // message, a follow-up call); derived from the person's id, not
        // drawn, so the rest of the data stays as the seed made it.
        if phone.is_some() && !pid.as_uuid().as_u128().is_multiple_of(5) {
            let consent = passage_domain::ids::ConsentId::from_uuid(uuid::Uuid::from_u128(pid.as_uuid().as_u128() ^ 0x5a5a_5a5a));
            b.consents.push(vec![
                t(consent),
                t(pid),
                t("follow_up_contact"),
                Value::Null,
                t("verbal"),
                t(registered),
                Value::Null,
                t(creator),
                t(&at_s),
            ]);
        }
        let mut keys = names::index_keys(&format!("{given} {family}"));
        if rng.chance(0.05) {
            // An alias: the name written family-first, as on some documents.
            let alias_family = rng.pick(family_names(nat)).to_string();
            b.names.push(vec![t(pid), Value::Int(1), t(&given), t(&alias_family), t("alias")]);
            keys.extend(names::index_keys(&format!("{given} {alias_family}")));
        }
        if rng.chance(0.3) {
            let kind = *rng.weighted(&[("passport", 5), ("national_id", 4), ("birth_certificate", 1), ("consular_card", 1)]);
            b.docs.push(vec![
                t(DocumentId::from_uuid(rng.uuid_at(at))),
                t(pid),
                t(kind),
                t(format!("{}{:07}", &nat[..1], rng.below(10_000_000))),
                t(nat),
                Value::Null,
                t(&at_s),
            ]);
        }
        out.persons += 1;
        let restricted = make_case(rng, pid, office, staff, child, registered, at, b, counter, base, out);
        for k in keys {
            b.keys.push(vec![t(k), t(office.id), t(pid), Value::Int(birth.year() as i64), Value::Int(restricted as i64)]);
        }
    }
}

/// Whether a user holds `p` in this office by name (not through "every office").
fn works_in(u: &passage_storage::records::UserRecord, office: OfficeId, p: Permission) -> bool {
    u.grants.iter().any(|g| g.role.permits(p) && matches!(&g.offices, Offices::Only(set) if set.contains(&office)))
}

/// A mobile number of the country's plan (its mobile prefix and length, as
/// libphonenumber knows them), from eight random digits; about one in forty
/// is mistyped (a digit short), as registration desks see them.
fn mobile_number(nat: &str, draw: u64) -> String {
    let (prefix, subscriber_digits) = match nat {
        "GIN" => ("62", 7),
        "MLI" => ("76", 6),
        "SEN" => ("77", 7),
        "GMB" => ("70", 5),
        "CIV" => ("07", 8),
        "NGA" => ("803", 7),
        "CMR" => ("67", 7),
        "BFA" => ("70", 6),
        "SLE" => ("76", 6),
        "SDN" => ("91", 7),
        "NER" => ("90", 6),
        "GHA" => ("24", 7),
        "LBR" => ("77", 7),
        "TCD" => ("66", 6),
        "BEN" => ("0197", 6),
        _ => ("90", 6),
    };
    let digits = if draw.is_multiple_of(40) { subscriber_digits - 1 } else { subscriber_digits };
    let subscriber = draw % 10u64.pow(digits);
    format!("+{}{prefix}{subscriber:0width$}", phone_prefix(nat), width = digits as usize)
}

fn phone_prefix(nat: &str) -> u32 {
    match nat {
        "GIN" => 224,
        "MLI" => 223,
        "SEN" => 221,
        "GMB" => 220,
        "CIV" => 225,
        "NGA" => 234,
        "CMR" => 237,
        "BFA" => 226,
        "SLE" => 232,
        "SDN" => 249,
        "NER" => 227,
        "GHA" => 233,
        "LBR" => 231,
        "TCD" => 235,
        "BEN" => 229,
        _ => 228,
    }
}

fn language_of(nat: &str) -> &'static str {
    match nat {
        "GIN" => "fuf,fra",
        "MLI" => "bam,fra",
        "SEN" => "wol,fra",
        "GMB" => "mnk,eng",
        "CIV" => "dyu,fra",
        "NGA" => "pcm,eng",
        "CMR" => "fra",
        "BFA" => "mos,fra",
        "SLE" => "kri,eng",
        "SDN" | "TCD" => "ara",
        "NER" => "hau,fra",
        "GHA" => "twi,eng",
        "LBR" => "eng",
        _ => "fra",
    }
}

#[allow(clippy::too_many_arguments)]
fn make_case(
    rng: &mut Rng,
    pid: PersonId,
    office: &OfficeRecord,
    staff: &[passage_storage::records::UserRecord],
    child: bool,
    opened: CalendarDate,
    at: Timestamp,
    b: &mut Batch,
    counter: &mut std::collections::HashMap<(OfficeId, i32), i64>,
    base: i64,
    out: &mut Generated,
) -> bool {
    let vot = rng.chance(0.04);
    let kind = if child && rng.chance(0.6) {
        "unaccompanied_child"
    } else if vot {
        "trafficking_victim_assistance"
    } else if office.country.as_str() == "NER" && rng.chance(0.08) {
        "search_and_rescue_survivor"
    } else {
        *rng.weighted(&[("assisted_voluntary_return", 55), ("transit_protection", 45)])
    };
    let cid = CaseId::from_uuid(rng.uuid_at(at));
    let n = counter.entry((office.id, opened.year())).or_insert(base);
    *n += 1;
    let reference = format!("{}-{}-{:06}", office.code, opened.year(), n);
    let closed = rng.chance(0.7);
    let status = if closed { "closed" } else { *rng.pick(&["open", "active", "active", "on_hold"]) };
    let closed_on = closed.then(|| opened.add_days(5 + rng.below(90) as i64));
    let mut findings: Vec<&str> = Vec::new();
    if vot || kind == "trafficking_victim_assistance" {
        findings.push("victim_of_trafficking");
    }
    if kind == "unaccompanied_child" {
        findings.push("unaccompanied_child");
    } else if child && rng.chance(0.5) {
        findings.push("separated_child");
    }
    for (f, p) in [
        ("serious_medical_condition", 0.06),
        ("disability", 0.02),
        ("gbv_survivor", 0.03),
        ("mental_health_need", 0.05),
        ("stranded_without_means", 0.35),
    ] {
        if rng.chance(p) {
            findings.push(f);
        }
    }
    findings.sort();
    let restricted =
        findings.iter().any(|f| matches!(*f, "victim_of_trafficking" | "unaccompanied_child" | "separated_child" | "gbv_survivor"));
    // Restricted cases go to the office's protection officer where there is one.
    let worker = restricted
        .then(|| staff.iter().find(|u| works_in(u, office.id, Permission::ReadRestricted)))
        .flatten()
        .or_else(|| staff.iter().find(|u| works_in(u, office.id, Permission::WriteCases)))
        .map(|u| u.id);
    let by = worker.or_else(|| staff.first().map(|u| u.id)).unwrap_or_default();
    let cats: Vec<passage_domain::screening::VulnerabilityCategory> =
        findings.iter().filter_map(|f| passage_domain::screening::VulnerabilityCategory::parse("", f).ok()).collect();
    let priority = passage_domain::screening::priority_of(&cats);
    let at_s = at.to_string();
    b.cases.push(vec![
        t(cid),
        t(&reference),
        t(pid),
        t(kind),
        t(office.id),
        worker.map(t).unwrap_or(Value::Null),
        t(status),
        t(if restricted { "restricted" } else { "normal" }),
        t(priority),
        t(opened),
        t(&at_s),
        t(&at_s),
        closed_on.map(t).unwrap_or(Value::Null),
    ]);
    b.history.push(vec![t(NoteId::from_uuid(rng.uuid_at(at))), t(cid), Value::Null, t("open"), Value::Null, t(by), t(&at_s)]);
    if status != "open" {
        let later = Timestamp::from_unix(at.unix() + 3600).unwrap_or(at);
        b.history.push(vec![t(NoteId::from_uuid(rng.uuid_at(later))), t(cid), t("open"), t("active"), Value::Null, t(by), t(later)]);
        if status != "active" {
            let last =
                Timestamp::from_unix(at.unix() + 7200 + closed_on.map(|d| (d.inner() - opened.inner()).whole_seconds()).unwrap_or(86_400))
                    .unwrap_or(at);
            let reason = (status == "closed")
                .then(|| t(*rng.pick(&["Returned home", "Left the centre", "Continued the journey", "Assistance completed"])));
            b.history.push(vec![
                t(NoteId::from_uuid(rng.uuid_at(last))),
                t(cid),
                t("active"),
                t(status),
                reason.unwrap_or(Value::Null),
                t(by),
                t(last),
            ]);
        }
    }
    out.cases += 1;
    // Most returnees followed in their country of origin get an individual
    // reintegration plan a few weeks after the case opens.
    if kind == "assisted_voluntary_return"
        && matches!(office.country.as_str(), "GIN" | "MLI" | "SEN" | "GMB" | "CIV" | "BFA")
        && rng.chance(0.7)
    {
        let made = Timestamp::from_unix(at.unix() + 86_400 * (14 + rng.below(60) as i64)).unwrap_or(at);
        let plan = PlanId::from_uuid(rng.uuid_at(made));
        let title =
            *rng.pick(&["Small shop", "Tailoring workshop", "Poultry farm", "Motorbike repair", "Market stall", "Vocational training"]);
        b.plans.push(vec![t(plan), t("individual"), t(office.id), t(title), t("active"), t(by), t(made), t(made)]);
        b.beneficiaries.push(vec![t(plan), t(cid)]);
    }
    if rng.chance(0.8) || !findings.is_empty() {
        let sid = ScreeningId::from_uuid(rng.uuid_at(at));
        let exploitation = if findings.contains(&"victim_of_trafficking") {
            rng.pick(&["labour", "sexual", "domestic_servitude", "forced_begging", "forced_criminality"]).to_string()
        } else {
            String::new()
        };
        b.screenings.push(vec![t(sid), t(cid), t(opened), t(findings.join(",")), t(exploitation), Value::Null, t(by), t(&at_s)]);
        for f in &findings {
            b.findings.push(vec![t(sid), t(*f)]);
        }
        out.screenings += 1;
    }
    let services = 1 + rng.below(4);
    for i in 0..services {
        let kind = *rng.weighted(&[
            ("shelter", 30),
            ("food", 30),
            ("medical_consultation", 12),
            ("non_food_items", 10),
            ("psychosocial_session", 6),
            ("phone_call_home", 6),
            ("transport", 3),
            ("cash", 2),
            ("clothing", 1),
        ]);
        let (unit, qty) = match kind {
            "shelter" => ("nights", 1 + rng.below(30) as i64),
            "food" => ("meals", 1 + rng.below(60) as i64),
            "non_food_items" => ("kits", 1),
            "cash" => ("payments", 1),
            "transport" => ("trips", 1),
            "clothing" => ("items", 1 + rng.below(3) as i64),
            "phone_call_home" => ("calls", 1 + rng.below(3) as i64),
            _ => ("sessions", 1 + rng.below(3) as i64),
        };
        let (cost, cur) =
            if kind == "cash" { (Value::Int(25_000 + 5_000 * rng.below(10) as i64), t("XOF")) } else { (Value::NullInt, Value::Null) };
        b.assistance.push(vec![
            t(AssistanceId::from_uuid(rng.uuid_at(at))),
            t(cid),
            t(kind),
            t(opened.add_days(i as i64)),
            Value::Int(qty),
            t(unit),
            t(&office.name),
            Value::Null,
            cost,
            cur,
            t(by),
            t(&at_s),
        ]);
        out.assistance += 1;
    }
    if rng.chance(0.3) {
        b.notes.push(vec![t(NoteId::from_uuid(rng.uuid_at(at))), t(cid), t(*rng.pick(NOTES)), t(by), t(&at_s)]);
    }
    restricted
}

#[cfg(test)]
mod tests {
    use super::*;
    use passage_domain::sms::MobileNumber;

    #[test]
    fn synthetic_numbers_follow_each_countrys_plan_and_some_are_mistyped() {
        for nat in ["GIN", "MLI", "SEN", "GMB", "CIV", "NGA", "CMR", "BFA", "SLE", "SDN", "NER", "GHA", "LBR", "TCD", "BEN", "TGO"] {
            let draws = (1..=400u64).map(|i| i * 2_654_435 % 100_000_000);
            let valid = draws.clone().filter(|d| MobileNumber::parse("p", &mobile_number(nat, *d)).is_ok()).count();
            let mistyped = draws.filter(|d| d % 40 == 0).count();
            assert_eq!(valid, 400 - mistyped, "{nat}: {}", mobile_number(nat, 12_345_678));
        }
    }
}
