package dev.minutework.broker.core.provider;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the material of secrets (an account's credentials, and secrets derived from them) in text a
 * provider sent back, in every form a provider is known to echo a credential in: in any letter case;
 * cut to a piece of at least {@value #MIN_PIECE} characters (a prefix, a suffix, a middle part) or split
 * into such pieces; URL-encoded (percent or form encoding, also twice); base64-encoded (standard or URL
 * alphabet, padded or not, at any byte alignment, so also inside an encoded {@code user:secret} pair);
 * hex-encoded. Pieces shorter than {@value #MIN_PIECE} characters are ordinary words and numbers, not
 * evidence; secrets shorter than that are ignored for the same reason.
 *
 * <p>Immutable and thread-safe; building one costs a set of the secrets' {@value #MIN_PIECE}-character
 * pieces, so build it once per account and call.
 */
public final class SecretMaterial {

    /** The shortest piece of a secret that counts as its material. */
    public static final int MIN_PIECE = 6;

    /**
     * In an identifier, a run of digits shorter than this is not taken for a secret's piece unless it
     * is a whole secret: provider ids, dates and amounts share six-digit runs with numeric secrets
     * (OAuth client ids) by coincidence.
     */
    public static final int MIN_DIGIT_RUN = 10;

    /** What replaces each stretch of secret material. */
    public static final String REDACTED = "[redacted]";

    /** Longer text is cut before it is searched; callers bound what they keep far below this. */
    static final int MAX_TEXT = 16_384;

    private static final SecretMaterial NONE = new SecretMaterial(Set.of(), Set.of());

    private final Set<String> pieces;
    private final Set<String> shortNumericSecrets;

    private SecretMaterial(Set<String> pieces, Set<String> shortNumericSecrets) {
        this.pieces = pieces;
        this.shortNumericSecrets = shortNumericSecrets;
    }

    /** The material of these secrets; null and short values are skipped. */
    public static SecretMaterial of(Collection<String> secrets) {
        Set<String> pieces = new HashSet<>();
        Set<String> shortNumeric = new HashSet<>();
        for (String secret : secrets) {
            if (secret == null || secret.length() < MIN_PIECE) {
                continue;
            }
            for (String form : forms(secret)) {
                String f = lower(form);
                for (int i = 0; i + MIN_PIECE <= f.length(); i++) {
                    pieces.add(f.substring(i, i + MIN_PIECE));
                }
            }
            if (secret.length() < MIN_DIGIT_RUN && secret.chars().allMatch(SecretMaterial::isDigit)) {
                shortNumeric.add(secret);
            }
        }
        return pieces.isEmpty() ? NONE : new SecretMaterial(Set.copyOf(pieces), Set.copyOf(shortNumeric));
    }

    /** Whether there is no secret to look for. */
    public boolean isEmpty() {
        return pieces.isEmpty();
    }

    /**
     * The text with every stretch that carries secret material replaced by {@value #REDACTED}; null
     * stays null. Text beyond {@value #MAX_TEXT} characters is cut off (marked with {@code …}).
     */
    public String redact(String text) {
        if (text == null || pieces.isEmpty()) {
            return text;
        }
        String t = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
        boolean[] marked = mark(t);
        StringBuilder out = new StringBuilder(t.length());
        int i = 0;
        while (i < t.length()) {
            if (marked[i]) {
                out.append(REDACTED);
                while (i < t.length() && marked[i]) {
                    i++;
                }
            } else {
                out.append(t.charAt(i++));
            }
        }
        return t.length() < text.length() ? out.append('…').toString() : out.toString();
    }

    /** Whether the text carries secret material anywhere (every stretch {@link #redact} would replace). */
    public boolean foundIn(String text) {
        if (text == null || pieces.isEmpty()) {
            return false;
        }
        String t = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
        for (boolean m : mark(t)) {
            if (m) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether an identifier (an object id, a status, a currency) carries secret material: as
     * {@link #foundIn}, except that a stretch made only of digits counts when it is at least
     * {@value #MIN_DIGIT_RUN} long or a whole numeric secret (see {@link #MIN_DIGIT_RUN}).
     */
    public boolean foundInIdentifier(String value) {
        if (value == null || pieces.isEmpty()) {
            return false;
        }
        String t = value.length() > MAX_TEXT ? value.substring(0, MAX_TEXT) : value;
        for (String numeric : shortNumericSecrets) {
            if (t.contains(numeric)) {
                return true;
            }
        }
        boolean[] marked = mark(t);
        int i = 0;
        while (i < t.length()) {
            if (!marked[i]) {
                i++;
                continue;
            }
            int start = i;
            boolean digitsOnly = true;
            while (i < t.length() && marked[i]) {
                digitsOnly &= isDigit(t.charAt(i));
                i++;
            }
            if (!digitsOnly || i - start >= MIN_DIGIT_RUN) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ search

    /** Marks every character of the text that lies in a secret's piece, in any of the text's views. */
    private boolean[] mark(String text) {
        boolean[] marked = new boolean[text.length()];
        View plain = View.of(text);
        markIn(plain, marked);
        View decoded = plain;
        for (int depth = 0; depth < 2 && decoded.mayBeEncoded(); depth++) {
            decoded = decoded.urlDecoded();
            markIn(decoded, marked);
        }
        return marked;
    }

    private void markIn(View view, boolean[] marked) {
        char[] c = view.chars;
        for (int i = 0; i + MIN_PIECE <= c.length; i++) {
            if (pieces.contains(new String(c, i, MIN_PIECE))) {
                for (int j = i; j < i + MIN_PIECE; j++) {
                    for (int k = view.from[j]; k < view.to[j]; k++) {
                        marked[k] = true;
                    }
                }
            }
        }
    }

    /**
     * The text as searched: lower-cased character by character (so positions stay), each character
     * knowing the stretch {@code [from, to)} of the original text it stands for.
     */
    private record View(char[] chars, int[] from, int[] to) {

        static View of(String text) {
            char[] c = new char[text.length()];
            int[] from = new int[c.length];
            int[] to = new int[c.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = Character.toLowerCase(text.charAt(i));
                from[i] = i;
                to[i] = i + 1;
            }
            return new View(c, from, to);
        }

        boolean mayBeEncoded() {
            for (char ch : chars) {
                if (ch == '%' || ch == '+') {
                    return true;
                }
            }
            return false;
        }

        /** Percent escapes and the form encoding's {@code +} decoded (bytes taken one by one). */
        View urlDecoded() {
            List<int[]> out = new ArrayList<>(chars.length);
            int i = 0;
            while (i < chars.length) {
                if (chars[i] == '%' && i + 2 < chars.length && hex(chars[i + 1]) >= 0 && hex(chars[i + 2]) >= 0) {
                    int b = hex(chars[i + 1]) * 16 + hex(chars[i + 2]);
                    out.add(new int[] {Character.toLowerCase((char) b), from[i], to[i + 2]});
                    i += 3;
                } else {
                    out.add(new int[] {chars[i] == '+' ? ' ' : chars[i], from[i], to[i]});
                    i++;
                }
            }
            char[] c = new char[out.size()];
            int[] f = new int[c.length];
            int[] t = new int[c.length];
            for (int k = 0; k < c.length; k++) {
                c[k] = (char) out.get(k)[0];
                f[k] = out.get(k)[1];
                t[k] = out.get(k)[2];
            }
            return new View(c, f, t);
        }

        private static int hex(char ch) {
            return Character.digit(ch, 16);
        }
    }

    // ------------------------------------------------------------------ forms

    /** The secret as a provider may echo it; each form's pieces are searched case-insensitively. */
    static Set<String> forms(String secret) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        String form = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        forms.add(form);
        forms.add(form.replace("+", "%20"));
        for (String cased : new LinkedHashSet<>(List.of(secret, upper(secret), lower(secret)))) {
            byte[] bytes = cased.getBytes(StandardCharsets.UTF_8);
            forms.add(HexFormat.of().formatHex(bytes));
            for (int offset = 0; offset < 3; offset++) {
                String core = base64Core(bytes, offset);
                forms.add(core);
                forms.add(core.replace('+', '-').replace('/', '_'));
            }
        }
        forms.removeIf(f -> f.length() < MIN_PIECE);
        return forms;
    }

    /**
     * The base64 characters that encode only the secret's own bits when it starts {@code offset} bytes
     * into the encoded stream: what any encoding of a text containing the secret at that alignment
     * contains, whatever comes before and after it.
     */
    private static String base64Core(byte[] secret, int offset) {
        byte[] stream = new byte[offset + secret.length];
        System.arraycopy(secret, 0, stream, offset, secret.length);
        String encoded = Base64.getEncoder().withoutPadding().encodeToString(stream);
        int first = (offset * 8 + 5) / 6; // the first character whose six bits all belong to the secret
        int end = (stream.length * 8) / 6; // characters after this one mix in what follows the secret
        return first < end ? encoded.substring(first, end) : "";
    }

    private static String lower(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            c[i] = Character.toLowerCase(c[i]);
        }
        return new String(c);
    }

    private static String upper(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            c[i] = Character.toUpperCase(c[i]);
        }
        return new String(c);
    }

    private static boolean isDigit(int ch) {
        return ch >= '0' && ch <= '9';
    }
}
