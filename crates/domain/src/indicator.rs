//! Indicators: what a programme promised to count, defined as data and
//! computed from the records — never typed in. A definition says what to
//! count ([`Measure`]) and which records qualify (assistance kinds); the
//! period is the programme's.
//!
//! Persons are counted once however many times they were assisted, and each
//! is attributed to one office (where they were first assisted in the
//! period), one age group (their age then) and one vulnerability (the most
//! serious found at screening, in [`VULNERABILITY_ORDER`]) so that every
//! breakdown adds up to the total: disclosure control needs additive tables,
//! and so do readers comparing rows.

use crate::assistance::AssistanceKind;
use crate::screening::VulnerabilityCategory;
use serde::{Deserialize, Serialize};

code_enum!(
    /// What an indicator counts.
    Measure {
        /// People found alive by search-and-rescue operations (a sum over operations).
        PeopleRescued => "people_rescued",
        /// Distinct persons given assistance (of the listed kinds, or any).
        PersonsAssisted => "persons_assisted",
        /// Distinct returnees who are beneficiaries of a reintegration plan.
        ReturneesWithReintegrationSupport => "returnees_with_reintegration_support",
        /// Distinct returnees with a scored sustainability survey at a visit in the period.
        ReturneesMonitored => "returnees_monitored",
        /// Of those, the returnees whose latest survey in the period reaches the scheme's threshold.
        ReturneesSustainablyReintegrated => "returnees_sustainably_reintegrated",
        /// People reached by information campaign events (a sum over events).
        PeopleReachedByCampaigns => "people_reached_by_campaigns",
        /// Participants of trainings (a sum over trainings).
        ParticipantsTrained => "participants_trained",
        /// Shelters renovated or refurbished.
        SheltersRenovated => "shelters_renovated",
        /// Studies, data briefings, infographics and data updates published.
        StudiesPublished => "studies_published",
    }
);

impl Measure {
    /// Whether the measure counts persons in the registry (and so has sex,
    /// age and vulnerability breakdowns), or events recorded as totals.
    pub fn counts_persons(self) -> bool {
        matches!(
            self,
            Measure::PersonsAssisted
                | Measure::ReturneesWithReintegrationSupport
                | Measure::ReturneesMonitored
                | Measure::ReturneesSustainablyReintegrated
        )
    }
}

/// An indicator's definition, stored as JSON beside the indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDefinition {
    pub measure: Measure,
    /// For `persons_assisted`: only these kinds of assistance (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assistance_kinds: Vec<AssistanceKind>,
}

code_enum!(
    /// The age groups figures are broken down by (the programme's reporting groups).
    AgeGroup {
        Under5 => "0-4",
        From5To11 => "5-11",
        From12To17 => "12-17",
        From18To24 => "18-24",
        From25To59 => "25-59",
        Over60 => "60+",
        Unknown => "unknown",
    }
);

impl AgeGroup {
    /// The ages in years the group spans, inclusive (the last has no upper
    /// bound); `None` for the unknown group. One table for the Rust and the
    /// SQL that sort people into groups.
    pub fn years(self) -> Option<(i64, Option<i64>)> {
        match self {
            AgeGroup::Under5 => Some((0, Some(4))),
            AgeGroup::From5To11 => Some((5, Some(11))),
            AgeGroup::From12To17 => Some((12, Some(17))),
            AgeGroup::From18To24 => Some((18, Some(24))),
            AgeGroup::From25To59 => Some((25, Some(59))),
            AgeGroup::Over60 => Some((60, None)),
            AgeGroup::Unknown => None,
        }
    }

    /// The group of a person born in `birth_year`, in `year`.
    pub fn at(birth_year: Option<i64>, year: i64) -> AgeGroup {
        let Some(age) = birth_year.map(|b| year - b) else { return AgeGroup::Unknown };
        AgeGroup::ALL
            .iter()
            .copied()
            .find(|g| g.years().is_some_and(|(lo, hi)| age >= lo && hi.is_none_or(|h| age <= h)))
            .unwrap_or(AgeGroup::Unknown)
    }
}

/// The most serious first: a person found to be a victim of trafficking and
/// stranded counts under trafficking.
pub const VULNERABILITY_ORDER: [VulnerabilityCategory; 10] = [
    VulnerabilityCategory::VictimOfTrafficking,
    VulnerabilityCategory::UnaccompaniedChild,
    VulnerabilityCategory::SeparatedChild,
    VulnerabilityCategory::GbvSurvivor,
    VulnerabilityCategory::SeriousMedicalCondition,
    VulnerabilityCategory::MentalHealthNeed,
    VulnerabilityCategory::Disability,
    VulnerabilityCategory::PregnantOrLactating,
    VulnerabilityCategory::OlderPerson,
    VulnerabilityCategory::StrandedWithoutMeans,
];

/// The rank of a category in [`VULNERABILITY_ORDER`] (0 is the most serious).
pub fn vulnerability_rank(c: VulnerabilityCategory) -> usize {
    VULNERABILITY_ORDER.iter().position(|v| *v == c).expect("every category is ranked")
}

/// The default programme: the ten-country protection programme on the
/// Central Mediterranean route (seeds 000/001), with the indicators of its
/// key achievements and their published results as targets.
pub struct ProgrammeTemplate {
    pub code: &'static str,
    pub name: &'static str,
    pub donor: &'static str,
    pub starts_on: &'static str,
    pub ends_on: &'static str,
    pub countries: &'static [&'static str],
    pub purpose_en: &'static str,
    pub purpose_fr: &'static str,
    pub areas: &'static [AreaOfWork],
    pub indicators: &'static [IndicatorTemplate],
}

/// One of a programme's areas of work, in English and French.
pub struct AreaOfWork {
    pub title_en: &'static str,
    pub title_fr: &'static str,
    pub body_en: &'static str,
    pub body_fr: &'static str,
}

pub struct IndicatorTemplate {
    pub code: &'static str,
    pub name_en: &'static str,
    pub name_fr: &'static str,
    pub measure: Measure,
    pub assistance_kinds: &'static [AssistanceKind],
    pub target: i64,
}

pub const DEFAULT_PROGRAMME: ProgrammeTemplate = ProgrammeTemplate {
    code: "SSS2-CMR",
    name: "Safety, Support and Solutions II — Central Mediterranean Route",
    donor: "FCDO (UK aid)",
    starts_on: "2018-04-01",
    ends_on: "2021-12-31",
    countries: &["DZA", "BFA", "CIV", "GMB", "GIN", "LBY", "MLI", "MAR", "NER", "SEN"],
    purpose_en: "Journeys along the Central Mediterranean route expose migrants to violence, exploitation, abuse and death. \
        This three-year programme reduced harm and suffering along the route in ten countries of West and Central Africa \
        and North Africa: it gave humanitarian and protection support to migrants in transit and on return — above all \
        victims of trafficking, unaccompanied children and people in very vulnerable situations — supported the \
        communities that host migrants and returnees, and built the evidence that responders and authorities need.",
    purpose_fr: "Les trajets sur la route de la Méditerranée centrale exposent les migrants à la violence, à l’exploitation, \
        aux abus et à la mort. Ce programme de trois ans a réduit les préjudices et les souffrances le long de la route \
        dans dix pays d’Afrique de l’Ouest et du Centre et d’Afrique du Nord : il a apporté une aide humanitaire et une \
        protection aux migrants en transit et lors de leur retour — en priorité aux victimes de la traite, aux enfants \
        non accompagnés et aux personnes en situation de grande vulnérabilité —, soutenu les communautés qui accueillent \
        migrants et personnes de retour, et produit les données dont les intervenants et les autorités ont besoin.",
    areas: &[
        AreaOfWork {
            title_en: "Protecting migrants from harm",
            title_fr: "Protéger les migrants",
            body_en: "Shelter, food, medical care and psychosocial support for migrants in very vulnerable situations; \
                stronger protection networks; information on the dangers of crossing the Sahara and the sea.",
            body_fr: "Hébergement, nourriture, soins médicaux et soutien psychosocial pour les migrants en situation de grande \
                vulnérabilité ; des réseaux de protection renforcés ; une information sur les dangers de la traversée du \
                Sahara et de la mer.",
        },
        AreaOfWork {
            title_en: "Returning home and reintegration",
            title_fr: "Retour et réintégration",
            body_en: "Safe and dignified return for those who choose it: travel, shelter and support on arrival, business \
                training and start-up support, and stronger social ties in the communities of origin.",
            body_fr: "Un retour sûr et digne pour celles et ceux qui le choisissent : voyage, hébergement et accueil à \
                l’arrivée, formation et appui au démarrage d’une activité, liens sociaux renforcés dans les communautés \
                d’origine.",
        },
        AreaOfWork {
            title_en: "Data analysis",
            title_fr: "Analyse des données",
            body_en: "Data collection and studies on movements, drivers, needs, vulnerabilities and resilience, so that \
                practitioners and governments can make migration safer.",
            body_fr: "Collecte de données et études sur les mouvements, leurs causes, les besoins, les vulnérabilités et la \
                résilience, pour que praticiens et gouvernements rendent la migration plus sûre.",
        },
        AreaOfWork {
            title_en: "Understanding migration decisions",
            title_fr: "Comprendre les décisions de migrer",
            body_en: "Why people migrate, how they decide to move and what shapes their choices: research with academic \
                partners to inform programmes and policy.",
            body_fr: "Pourquoi les personnes migrent, comment elles décident de partir et ce qui influence leurs choix : \
                des recherches avec des partenaires universitaires pour éclairer programmes et politiques.",
        },
    ],
    indicators: &[
        IndicatorTemplate {
            code: "rescued",
            name_en: "People rescued in the desert and given life-saving support",
            name_fr: "Personnes secourues dans le désert et ayant reçu une aide vitale",
            measure: Measure::PeopleRescued,
            assistance_kinds: &[],
            target: 8_000,
        },
        IndicatorTemplate {
            code: "reached-with-support",
            name_en: "Migrants reached with support (shelter, health care, reintegration…)",
            name_fr: "Migrants ayant reçu un soutien (hébergement, soins, réintégration…)",
            measure: Measure::PersonsAssisted,
            assistance_kinds: &[],
            target: 18_000,
        },
        IndicatorTemplate {
            code: "shelters-renovated",
            name_en: "Shelters renovated or refurbished",
            name_fr: "Centres d’hébergement rénovés ou réaménagés",
            measure: Measure::SheltersRenovated,
            assistance_kinds: &[],
            target: 10,
        },
        IndicatorTemplate {
            code: "safe-shelter",
            name_en: "Migrants who accessed safe shelter",
            name_fr: "Migrants ayant eu accès à un hébergement sûr",
            measure: Measure::PersonsAssisted,
            assistance_kinds: &[AssistanceKind::Shelter],
            target: 4_500,
        },
        IndicatorTemplate {
            code: "reintegration-support",
            name_en: "Returnees provided with reintegration support",
            name_fr: "Personnes de retour ayant reçu une aide à la réintégration",
            measure: Measure::ReturneesWithReintegrationSupport,
            assistance_kinds: &[],
            target: 3_500,
        },
        // No published target: the share sustainable is what is reported
        // (target 0 is stored as none).
        IndicatorTemplate {
            code: "returnees-monitored",
            name_en: "Returnees monitored with a sustainability survey",
            name_fr: "Personnes de retour suivies par une enquête de durabilité",
            measure: Measure::ReturneesMonitored,
            assistance_kinds: &[],
            target: 0,
        },
        IndicatorTemplate {
            code: "sustainably-reintegrated",
            name_en: "Returnees monitored whose reintegration is sustainable",
            name_fr: "Personnes de retour suivies dont la réintégration est durable",
            measure: Measure::ReturneesSustainablyReintegrated,
            assistance_kinds: &[],
            target: 0,
        },
        IndicatorTemplate {
            code: "reached-with-information",
            name_en: "People reached with information on the dangers of irregular routes and on services",
            name_fr: "Personnes informées des dangers des routes irrégulières et des services",
            measure: Measure::PeopleReachedByCampaigns,
            assistance_kinds: &[],
            target: 230_000,
        },
        IndicatorTemplate {
            code: "practitioners-trained",
            name_en: "Practitioners, officials, CSO and NGO staff trained",
            name_fr: "Praticiens, fonctionnaires et personnels d’OSC et d’ONG formés",
            measure: Measure::ParticipantsTrained,
            assistance_kinds: &[],
            target: 2_000,
        },
        IndicatorTemplate {
            code: "studies",
            name_en: "Studies, data briefings, infographics and data updates produced",
            name_fr: "Études, notes, infographies et mises à jour de données produites",
            measure: Measure::StudiesPublished,
            assistance_kinds: &[],
            target: 150,
        },
    ],
};

impl IndicatorTemplate {
    pub fn definition(&self) -> IndicatorDefinition {
        IndicatorDefinition { measure: self.measure, assistance_kinds: self.assistance_kinds.to_vec() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_groups_follow_the_reporting_groups() {
        assert_eq!(AgeGroup::at(Some(2020), 2024), AgeGroup::Under5);
        assert_eq!(AgeGroup::at(Some(2019), 2024), AgeGroup::From5To11);
        assert_eq!(AgeGroup::at(Some(2007), 2024), AgeGroup::From12To17);
        assert_eq!(AgeGroup::at(Some(2006), 2024), AgeGroup::From18To24);
        assert_eq!(AgeGroup::at(Some(1965), 2024), AgeGroup::From25To59);
        assert_eq!(AgeGroup::at(Some(1964), 2024), AgeGroup::Over60);
        assert_eq!(AgeGroup::at(None, 2024), AgeGroup::Unknown);
        assert_eq!(AgeGroup::at(Some(2030), 2024), AgeGroup::Unknown, "born after the record: a typo, not a negative age");
    }

    #[test]
    fn definitions_are_data() {
        let d: IndicatorDefinition = serde_json::from_str(r#"{"measure":"persons_assisted","assistance_kinds":["shelter"]}"#).unwrap();
        assert_eq!(d, DEFAULT_PROGRAMME.indicators[3].definition());
        assert!(serde_json::from_str::<IndicatorDefinition>(r#"{"measure":"persons_assisted","typo":1}"#).is_err());
        assert_eq!(VULNERABILITY_ORDER.len(), VulnerabilityCategory::ALL.len());
        assert_eq!(DEFAULT_PROGRAMME.indicators.len(), 10);
    }
}
