//! Places people sign in from: the simulator's stand-in for Okta's IP geolocation.
//!
//! Each location owns an IPv4 /16 so that an IP address alone tells where a client is, as a
//! GeoIP database would.

/// A city with the network facts Okta attaches to a client.
#[derive(Debug, Clone, Copy)]
pub struct Location {
    pub city: &'static str,
    pub state: &'static str,
    pub country: &'static str,
    pub country_code: &'static str,
    pub postal_code: &'static str,
    pub lat: f64,
    pub lon: f64,
    /// First two octets of the addresses handed out in this place.
    pub ip_prefix: [u8; 2],
    pub as_number: u32,
    pub as_org: &'static str,
    pub isp: &'static str,
    pub domain: &'static str,
}

macro_rules! loc {
    ($city:expr, $state:expr, $country:expr, $cc:expr, $zip:expr, $lat:expr, $lon:expr, [$a:expr, $b:expr], $asn:expr, $asorg:expr, $isp:expr, $dom:expr) => {
        Location {
            city: $city,
            state: $state,
            country: $country,
            country_code: $cc,
            postal_code: $zip,
            lat: $lat,
            lon: $lon,
            ip_prefix: [$a, $b],
            as_number: $asn,
            as_org: $asorg,
            isp: $isp,
            domain: $dom,
        }
    };
}

/// Offices and home cities of the synthetic workforce, followed by [`HOSTILE_START`] onwards:
/// places attack traffic comes from (hosting providers, anonymisers).
pub const LOCATIONS: &[Location] = &[
    loc!(
        "San Francisco",
        "California",
        "United States",
        "US",
        "94105",
        37.7897,
        -122.3972,
        [73, 15],
        7922,
        "comcast",
        "Comcast Cable",
        "comcast.net"
    ),
    loc!(
        "New York",
        "New York",
        "United States",
        "US",
        "10001",
        40.7506,
        -73.9972,
        [24, 90],
        12271,
        "charter communications",
        "Spectrum",
        "spectrum.com"
    ),
    loc!(
        "Austin",
        "Texas",
        "United States",
        "US",
        "78701",
        30.2711,
        -97.7437,
        [99, 61],
        7018,
        "at&t services",
        "AT&T",
        "att.net"
    ),
    loc!(
        "Chicago",
        "Illinois",
        "United States",
        "US",
        "60601",
        41.8858,
        -87.6181,
        [98, 213],
        7922,
        "comcast",
        "Comcast Cable",
        "comcast.net"
    ),
    loc!(
        "Seattle",
        "Washington",
        "United States",
        "US",
        "98101",
        47.6101,
        -122.3344,
        [67, 183],
        20115,
        "charter communications",
        "Spectrum",
        "spectrum.com"
    ),
    loc!(
        "Denver",
        "Colorado",
        "United States",
        "US",
        "80202",
        39.7527,
        -104.9992,
        [71, 211],
        209,
        "centurylink",
        "Lumen",
        "centurylink.net"
    ),
    loc!(
        "Toronto",
        "Ontario",
        "Canada",
        "CA",
        "M5H",
        43.6511,
        -79.3837,
        [142, 114],
        577,
        "bell canada",
        "Bell Canada",
        "bell.ca"
    ),
    loc!(
        "London",
        "England",
        "United Kingdom",
        "GB",
        "EC2V",
        51.5142,
        -0.0931,
        [86, 128],
        2856,
        "british telecommunications plc",
        "BT",
        "bt.com"
    ),
    loc!(
        "Dublin",
        "Leinster",
        "Ireland",
        "IE",
        "D02",
        53.3498,
        -6.2603,
        [89, 100],
        5466,
        "eircom limited",
        "Eir",
        "eir.ie"
    ),
    loc!(
        "Berlin",
        "Land Berlin",
        "Germany",
        "DE",
        "10117",
        52.5200,
        13.4050,
        [91, 64],
        3320,
        "deutsche telekom ag",
        "Deutsche Telekom",
        "telekom.de"
    ),
    loc!(
        "Paris",
        "Île-de-France",
        "France",
        "FR",
        "75002",
        48.8698,
        2.3412,
        [90, 84],
        3215,
        "orange s.a.",
        "Orange",
        "orange.fr"
    ),
    loc!(
        "Amsterdam",
        "North Holland",
        "Netherlands",
        "NL",
        "1012",
        52.3731,
        4.8926,
        [145, 53],
        1136,
        "kpn b.v.",
        "KPN",
        "kpn.com"
    ),
    loc!(
        "São Paulo",
        "São Paulo",
        "Brazil",
        "BR",
        "01310",
        -23.5614,
        -46.6559,
        [177, 92],
        28573,
        "claro nxt telecomunicacoes ltda",
        "Claro",
        "claro.com.br"
    ),
    loc!(
        "Bengaluru",
        "Karnataka",
        "India",
        "IN",
        "560001",
        12.9716,
        77.5946,
        [49, 205],
        24560,
        "bharti airtel ltd.",
        "Airtel",
        "airtel.in"
    ),
    loc!(
        "Singapore",
        "Singapore",
        "Singapore",
        "SG",
        "018989",
        1.2789,
        103.8536,
        [118, 200],
        9506,
        "singtel fibre broadband",
        "Singtel",
        "singtel.com"
    ),
    loc!(
        "Tokyo",
        "Tokyo",
        "Japan",
        "JP",
        "100-0005",
        35.6812,
        139.7671,
        [126, 78],
        2516,
        "kddi corporation",
        "KDDI",
        "kddi.com"
    ),
    loc!(
        "Sydney",
        "New South Wales",
        "Australia",
        "AU",
        "2000",
        -33.8688,
        151.2093,
        [120, 150],
        1221,
        "telstra corporation ltd",
        "Telstra",
        "telstra.com.au"
    ),
    // Hostile sources from here on.
    loc!(
        "Moscow",
        "Moscow",
        "Russia",
        "RU",
        "101000",
        55.7558,
        37.6173,
        [95, 165],
        12389,
        "rostelecom",
        "Rostelecom",
        "rt.ru"
    ),
    loc!(
        "Lagos",
        "Lagos",
        "Nigeria",
        "NG",
        "100001",
        6.5244,
        3.3792,
        [105, 112],
        29465,
        "mtn nigeria",
        "MTN Nigeria",
        "mtnonline.com"
    ),
    loc!(
        "Ashburn",
        "Virginia",
        "United States",
        "US",
        "20147",
        39.0438,
        -77.4874,
        [45, 155],
        14061,
        "digitalocean, llc",
        "DigitalOcean",
        "digitalocean.com"
    ),
    loc!(
        "Frankfurt am Main",
        "Hesse",
        "Germany",
        "DE",
        "60313",
        50.1109,
        8.6821,
        [5, 188],
        24940,
        "hetzner online gmbh",
        "Hetzner",
        "hetzner.com"
    ),
    loc!(
        "Ho Chi Minh City",
        "Ho Chi Minh",
        "Vietnam",
        "VN",
        "700000",
        10.8231,
        106.6297,
        [113, 161],
        7552,
        "viettel group",
        "Viettel",
        "viettel.com.vn"
    ),
    loc!(
        "Bucharest",
        "Bucuresti",
        "Romania",
        "RO",
        "010011",
        44.4268,
        26.1025,
        [185, 220],
        9009,
        "m247 europe srl",
        "M247",
        "m247.com"
    ),
];

/// Index of the first hostile location in [`LOCATIONS`]; everything before it is a workforce place.
pub const HOSTILE_START: usize = 17;

/// Great-circle distance in kilometres between two locations.
pub fn distance_km(a: &Location, b: &Location) -> f64 {
    let (la1, lo1, la2, lo2) = (a.lat.to_radians(), a.lon.to_radians(), b.lat.to_radians(), b.lon.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_unique_so_an_ip_names_one_place() {
        let mut seen = std::collections::HashSet::new();
        for l in LOCATIONS {
            assert!(seen.insert(l.ip_prefix), "{} reuses a prefix", l.city);
        }
        assert_eq!(LOCATIONS[HOSTILE_START].city, "Moscow");
    }

    #[test]
    fn london_to_new_york_is_about_5570_km() {
        let d = distance_km(&LOCATIONS[7], &LOCATIONS[1]);
        assert!((5500.0..5650.0).contains(&d), "{d}");
    }
}
