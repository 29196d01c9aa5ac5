package dev.minutework.broker.providers.http;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * What provider calls trust over HTTPS: the JDK's certificate authorities, as for any real provider,
 * plus the exact certificates {@link #trust pinned} here — the self-signed certificate the local
 * provider simulators serve when they run over HTTPS. A pinned certificate is trusted only as the
 * server's own certificate (never as an issuer of others), and the host name is still checked
 * against it; nothing else self-signed is ever accepted.
 */
public final class ProviderTrust {

    private static final Set<X509Certificate> PINNED = ConcurrentHashMap.newKeySet();
    private static final SSLContext CONTEXT = context();

    private ProviderTrust() {}

    /** Trusts {@code certificate} as a server's own certificate from now on (the simulators' certificate). */
    public static void trust(X509Certificate certificate) {
        PINNED.add(certificate);
    }

    /** No longer trusts {@code certificate} (the simulators stopped). */
    public static void forget(X509Certificate certificate) {
        PINNED.remove(certificate);
    }

    /** The TLS context provider calls use. */
    static SSLContext sslContext() {
        return CONTEXT;
    }

    private static SSLContext context() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null); // the JDK's certificate authorities
            X509TrustManager jdk = Arrays.stream(tmf.getTrustManagers()).filter(X509TrustManager.class::isInstance)
                    .map(X509TrustManager.class::cast).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the JDK has no X.509 trust manager"));
            SSLContext context = SSLContext.getInstance("TLS");
            // a plain X509TrustManager: the JDK wraps it and still verifies the host name against the certificate
            context.init(null, new TrustManager[] {new PinnedOrJdk(jdk)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for provider calls", e);
        }
    }

    private record PinnedOrJdk(X509TrustManager jdk) implements X509TrustManager {

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain != null && chain.length == 1 && PINNED.contains(chain[0])) {
                chain[0].checkValidity();
                return;
            }
            jdk.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            jdk.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return jdk.getAcceptedIssuers();
        }
    }
}
