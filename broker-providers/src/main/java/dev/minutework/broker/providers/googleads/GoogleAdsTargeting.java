package dev.minutework.broker.providers.googleads;

import java.util.Map;
import java.util.TreeMap;

/**
 * The countries and languages the adapter maps to Google's location and language criteria, and
 * nothing else: {@link GoogleAdsAdapterFactory#CAPABILITIES} declares exactly these keys, so the broker
 * refuses any other before approval.
 *
 * <p>A country's criterion is {@code geoTargetConstants/<2000 + its ISO 3166-1 numeric code>} (the
 * United States, 840, is 2840). The table holds the markets where Google Ads serves and that are
 * commonly targeted; countries under sanctions (Cuba, Iran, North Korea, Syria), Russia (where Google
 * stopped serving ads in 2022), mainland China (where Google Search is not available) and
 * uninhabited territories are left out on purpose. A language's criterion is {@code
 * languageConstants/<Google's id>} (Google's codes-and-formats table); Chinese is left out because
 * Google has two (simplified 1017, traditional 1018) and the neutral {@code zh} names neither.
 */
final class GoogleAdsTargeting {

    private GoogleAdsTargeting() {}

    /** ISO 3166-1 alpha-2 → Google's geo target constant id. */
    static final Map<String, Long> COUNTRIES = table(
            "AD", 2020, "AE", 2784, "AL", 2008, "AM", 2051, "AR", 2032, "AT", 2040, "AU", 2036, "AZ", 2031,
            "BA", 2070, "BB", 2052, "BD", 2050, "BE", 2056, "BG", 2100, "BH", 2048, "BO", 2068, "BR", 2076,
            "BS", 2044, "CA", 2124, "CH", 2756, "CI", 2384, "CL", 2152, "CM", 2120, "CO", 2170, "CR", 2188,
            "CY", 2196, "CZ", 2203, "DE", 2276, "DK", 2208, "DO", 2214, "DZ", 2012, "EC", 2218, "EE", 2233,
            "EG", 2818, "ES", 2724, "ET", 2231, "FI", 2246, "FR", 2250, "GB", 2826, "GE", 2268, "GH", 2288,
            "GR", 2300, "GT", 2320, "HK", 2344, "HN", 2340, "HR", 2191, "HU", 2348, "ID", 2360, "IE", 2372,
            "IL", 2376, "IN", 2356, "IS", 2352, "IT", 2380, "JM", 2388, "JO", 2400, "JP", 2392, "KE", 2404,
            "KH", 2116, "KR", 2410, "KW", 2414, "KZ", 2398, "LB", 2422, "LI", 2438, "LK", 2144, "LT", 2440,
            "LU", 2442, "LV", 2428, "MA", 2504, "MC", 2492, "MD", 2498, "ME", 2499, "MK", 2807, "MN", 2496,
            "MO", 2446, "MT", 2470, "MU", 2480, "MX", 2484, "MY", 2458, "NG", 2566, "NI", 2558, "NL", 2528,
            "NO", 2578, "NP", 2524, "NZ", 2554, "OM", 2512, "PA", 2591, "PE", 2604, "PH", 2608, "PK", 2586,
            "PL", 2616, "PR", 2630, "PT", 2620, "PY", 2600, "QA", 2634, "RO", 2642, "RS", 2688, "RW", 2646,
            "SA", 2682, "SE", 2752, "SG", 2702, "SI", 2705, "SK", 2703, "SN", 2686, "SV", 2222, "TH", 2764,
            "TN", 2788, "TR", 2792, "TT", 2780, "TW", 2158, "TZ", 2834, "UA", 2804, "UG", 2800, "US", 2840,
            "UY", 2858, "UZ", 2860, "VN", 2704, "ZA", 2710);

    /** ISO 639-1 → Google's language constant id (Hebrew is {@code iw} at Google, Filipino {@code tl}). */
    static final Map<String, Long> LANGUAGES = table(
            "ar", 1019, "bg", 1020, "bn", 1056, "ca", 1038, "cs", 1021, "da", 1009, "de", 1001, "el", 1022,
            "en", 1000, "es", 1003, "et", 1043, "fa", 1064, "fi", 1011, "fr", 1002, "gu", 1072, "he", 1027,
            "hi", 1023, "hr", 1039, "hu", 1024, "id", 1025, "is", 1026, "it", 1004, "ja", 1005, "kn", 1086,
            "ko", 1012, "lt", 1029, "lv", 1028, "ml", 1098, "mr", 1101, "ms", 1102, "nl", 1010, "no", 1013,
            "pa", 1110, "pl", 1030, "pt", 1014, "ro", 1032, "ru", 1031, "sk", 1033, "sl", 1034, "sr", 1035,
            "sv", 1015, "ta", 1130, "te", 1131, "th", 1044, "tl", 1042, "tr", 1037, "uk", 1036, "ur", 1041,
            "vi", 1040);

    /** {@code geoTargetConstants/<id>} of a country of the table. */
    static String location(String country) {
        return "geoTargetConstants/" + COUNTRIES.get(country);
    }

    /** {@code languageConstants/<id>} of a language of the table. */
    static String language(String code) {
        return "languageConstants/" + LANGUAGES.get(code);
    }

    /** The code of a criterion id in a table, or the criterion's resource name when the table has none. */
    static String codeOf(Map<String, Long> table, long criterionId, String constants) {
        return table.entrySet().stream().filter(e -> e.getValue() == criterionId).map(Map.Entry::getKey).findFirst()
                .orElse(constants + "/" + criterionId);
    }

    private static Map<String, Long> table(Object... pairs) {
        Map<String, Long> out = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (out.put((String) pairs[i], ((Integer) pairs[i + 1]).longValue()) != null) {
                throw new IllegalStateException("twice in the table: " + pairs[i]);
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
