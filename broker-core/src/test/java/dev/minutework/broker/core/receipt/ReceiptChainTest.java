package dev.minutework.broker.core.receipt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minutework.broker.core.json.CanonicalJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReceiptChainTest {

    private static final String TENANT = "tnt_1";

    /** Appends a correctly hashed link for {@code payload} after {@code prevHash}. */
    private static ChainLink link(String tenant, long seq, String kind, Map<String, Object> payload, String prevHash) {
        String canonical = CanonicalJson.canonicalize(payload);
        String digest = CanonicalJson.sha256Hex(canonical);
        return new ChainLink(seq, kind, canonical, digest, prevHash,
                ReceiptChain.linkHash(tenant, seq, kind, digest, prevHash));
    }

    /** A valid chain of five receipts for {@link #TENANT}. */
    private static List<ChainLink> fiveReceipts() {
        List<ChainLink> links = new ArrayList<>();
        String prev = ReceiptChain.GENESIS;
        String[] kinds = {"execution.accepted", "approval.granted", "execution.succeeded", "spend.reserved",
            "execution.accepted"};
        for (int i = 0; i < kinds.length; i++) {
            ChainLink link = link(TENANT, i + 1, kinds[i], Map.of("n", i + 1, "note", "receipt " + (i + 1)), prev);
            links.add(link);
            prev = link.hash();
        }
        return links;
    }

    private static String head(List<ChainLink> links) {
        return links.getLast().hash();
    }

    private static ChainLink withPayload(ChainLink l, String payload) {
        return new ChainLink(l.seq(), l.kind(), payload, l.payloadDigest(), l.prevHash(), l.hash());
    }

    @Test
    void anIntactChainIsValidWithItsCountAndHead() {
        List<ChainLink> links = fiveReceipts();

        ReceiptChain.Verification v = ReceiptChain.verify(TENANT, links, 5, head(links));

        assertThat(v).isEqualTo(new ReceiptChain.Verification(true, 5, head(links), null));
    }

    @Test
    void theFirstLinkFollowsGenesisAndEachLinkItsPredecessor() {
        List<ChainLink> links = fiveReceipts();

        assertThat(links.getFirst().prevHash()).isEqualTo(ReceiptChain.GENESIS).matches("0{64}");
        for (int i = 1; i < links.size(); i++) {
            assertThat(links.get(i).prevHash()).isEqualTo(links.get(i - 1).hash());
        }
    }

    @Test
    void anEmptyChainIsValidWithTheGenesisHead() {
        ReceiptChain.Verification v = ReceiptChain.verify(TENANT, List.of(), 0, ReceiptChain.GENESIS);

        assertThat(v).isEqualTo(new ReceiptChain.Verification(true, 0, ReceiptChain.GENESIS, null));
    }

    @Test
    void anEditedPayloadIsDetectedAtItsSeq() {
        for (int k = 1; k <= 5; k++) {
            List<ChainLink> links = fiveReceipts();
            String headHash = head(links);
            ChainLink original = links.get(k - 1);
            links.set(k - 1, withPayload(original, original.payload().replace("receipt", "receipt!")));

            ReceiptChain.Verification v = ReceiptChain.verify(TENANT, links, 5, headHash);

            assertThat(v.valid()).as("edit at seq %d", k).isFalse();
            assertThat(v.firstBadSeq()).as("edit at seq %d", k).isEqualTo(k);
        }
    }

    @Test
    void anEditedPayloadWithARecomputedDigestIsDetectedAtItsSeq() {
        List<ChainLink> links = fiveReceipts();
        String headHash = head(links);
        ChainLink l = links.get(2);
        String forged = CanonicalJson.canonicalize(Map.of("n", 3, "note", "forged"));
        links.set(2, new ChainLink(l.seq(), l.kind(), forged, CanonicalJson.sha256Hex(forged), l.prevHash(), l.hash()));

        assertThat(ReceiptChain.verify(TENANT, links, 5, headHash).firstBadSeq()).isEqualTo(3);
    }

    @Test
    void anEditedKindIsDetectedAtItsSeq() {
        List<ChainLink> links = fiveReceipts();
        String headHash = head(links);
        ChainLink l = links.get(1);
        links.set(1, new ChainLink(l.seq(), "approval.denied", l.payload(), l.payloadDigest(), l.prevHash(), l.hash()));

        assertThat(ReceiptChain.verify(TENANT, links, 5, headHash).firstBadSeq()).isEqualTo(2);
    }

    @Test
    void aRehashedEditIsDetectedAtTheNextLink() {
        List<ChainLink> links = fiveReceipts();
        String headHash = head(links);
        links.set(2, link(TENANT, 3, "execution.succeeded", Map.of("n", 3, "note", "forged"), links.get(1).hash()));

        ReceiptChain.Verification v = ReceiptChain.verify(TENANT, links, 5, headHash);

        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(4);
    }

    @Test
    void aDeletedMiddleLinkIsDetectedAtTheGap() {
        List<ChainLink> links = fiveReceipts();
        String headHash = head(links);
        links.remove(2); // seq 3

        ReceiptChain.Verification v = ReceiptChain.verify(TENANT, links, 5, headHash);

        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(3);
    }

    @Test
    void swappedLinksAreDetectedAtTheFirstMovedSeq() {
        List<ChainLink> links = fiveReceipts();
        String headHash = head(links);
        ChainLink second = links.get(1);
        links.set(1, links.get(2));
        links.set(2, second);

        ReceiptChain.Verification v = ReceiptChain.verify(TENANT, links, 5, headHash);

        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(2);
    }

    @Test
    void swappedLinksWithRenumberedSeqsAreDetected() {
        List<ChainLink> links = fiveReceipts();
        String headHash = head(links);
        ChainLink two = links.get(1);
        ChainLink three = links.get(2);
        links.set(1, new ChainLink(2, three.kind(), three.payload(), three.payloadDigest(), three.prevHash(), three.hash()));
        links.set(2, new ChainLink(3, two.kind(), two.payload(), two.payloadDigest(), two.prevHash(), two.hash()));

        assertThat(ReceiptChain.verify(TENANT, links, 5, headHash).firstBadSeq()).isEqualTo(2);
    }

    @Test
    void anInsertedForgedLinkIsDetected() {
        List<ChainLink> links = fiveReceipts();
        String headHash = head(links);
        // a well-formed link claiming seq 3, chained onto seq 2, slipped in before the real seq 3
        links.add(2, link(TENANT, 3, "execution.accepted", Map.of("n", 99), links.get(1).hash()));

        ReceiptChain.Verification v = ReceiptChain.verify(TENANT, links, 5, headHash);

        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(3);
    }

    @Test
    void aForgedLinkWithABadHashIsDetectedAtItsSeq() {
        List<ChainLink> links = fiveReceipts();
        String headHash = head(links);
        ChainLink real = links.get(2);
        links.add(2, new ChainLink(3, "execution.accepted", real.payload(), real.payloadDigest(), links.get(1).hash(),
                "f".repeat(64)));

        assertThat(ReceiptChain.verify(TENANT, links, 5, headHash).firstBadSeq()).isEqualTo(3);
    }

    @Test
    void aDeletedLastLinkIsDetectedByTheHead() {
        List<ChainLink> links = fiveReceipts();
        String headHash = head(links);
        links.removeLast();

        ReceiptChain.Verification v = ReceiptChain.verify(TENANT, links, 5, headHash);

        assertThat(v.valid()).isFalse();
        assertThat(v.count()).isEqualTo(4);
        assertThat(v.firstBadSeq()).isEqualTo(v.count() + 1);
    }

    @Test
    void aLinkAppendedBehindTheHeadsBackIsDetected() {
        List<ChainLink> links = fiveReceipts();
        String headHash = head(links);
        links.add(link(TENANT, 6, "execution.accepted", Map.of("n", 6), headHash));

        ReceiptChain.Verification v = ReceiptChain.verify(TENANT, links, 5, headHash);

        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(6);
    }

    @Test
    void aWrongHeadHashIsDetected() {
        List<ChainLink> links = fiveReceipts();

        ReceiptChain.Verification v = ReceiptChain.verify(TENANT, links, 5, "e".repeat(64));

        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(6);
    }

    @Test
    void anotherTenantsChainDoesNotVerify() {
        List<ChainLink> links = fiveReceipts();

        ReceiptChain.Verification v = ReceiptChain.verify("tnt_2", links, 5, head(links));

        assertThat(v.valid()).isFalse();
        assertThat(v.firstBadSeq()).isEqualTo(1);
    }

    @Test
    void theLinkHashCoversEveryField() {
        String base = ReceiptChain.linkHash(TENANT, 1, "k", "d", ReceiptChain.GENESIS);

        assertThat(base).matches("[0-9a-f]{64}");
        assertThat(ReceiptChain.linkHash("tnt_2", 1, "k", "d", ReceiptChain.GENESIS)).isNotEqualTo(base);
        assertThat(ReceiptChain.linkHash(TENANT, 2, "k", "d", ReceiptChain.GENESIS)).isNotEqualTo(base);
        assertThat(ReceiptChain.linkHash(TENANT, 1, "j", "d", ReceiptChain.GENESIS)).isNotEqualTo(base);
        assertThat(ReceiptChain.linkHash(TENANT, 1, "k", "e", ReceiptChain.GENESIS)).isNotEqualTo(base);
        assertThat(ReceiptChain.linkHash(TENANT, 1, "k", "d", "1".repeat(64))).isNotEqualTo(base);
    }
}
