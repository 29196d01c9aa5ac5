package dev.minutework.broker.server.webhooks;

import dev.minutework.broker.server.webhooks.WebhookIntake.Change;
import dev.minutework.broker.server.webhooks.WebhookIntake.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a verified delivery clearly says, per provider: its event id, its kind, and the campaign
 * status changes and ad review results the broker applies. Anything else is stored and ignored;
 * an event about another ad account or advertiser than the addressed provider account's changes
 * nothing.
 */
final class ProviderEvents {

    static final String CAMPAIGN_STATUS = "campaign_status";
    static final String AD_REVIEW = "ad_review";

    private ProviderEvents() {}

    /**
     * Meta, object {@code ad_account}: {@code entry[].changes[]} with fields
     * {@code in_process_ad_objects} (an object left IN_PROCESS) and {@code with_issues_ad_objects},
     * whose value is {@code {id, level, status_name}}. Applied: level CAMPAIGN with status ACTIVE,
     * PAUSED (→ active, paused) or DELETED, ARCHIVED (→ removed_at_provider); level AD with status
     * DISAPPROVED (→ review rejected) or, leaving IN_PROCESS, ACTIVE (→ review approved).
     */
    static Event meta(Map<String, Object> body, String rawDigest, String adAccountId) {
        String id = "sha256:" + rawDigest;
        if (body == null || !"ad_account".equals(body.get("object")) || !(body.get("entry") instanceof List<?> entries)) {
            return new Event(id, body == null ? "unreadable" : "metaads.unknown", List.of());
        }
        String ours = digits(adAccountId);
        List<Change> changes = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        for (Object e : entries) {
            if (!(e instanceof Map<?, ?> entry) || !(entry.get("changes") instanceof List<?> list)) {
                continue;
            }
            boolean sameAccount = ours != null && ours.equals(digits(text(entry.get("id"))));
            Instant at = entry.get("time") instanceof Number time ? Instant.ofEpochSecond(time.longValue()) : null;
            for (Object c : list) {
                if (!(c instanceof Map<?, ?> change) || !(change.get("value") instanceof Map<?, ?> value)) {
                    continue;
                }
                String field = text(change.get("field"));
                if (field != null && !fields.contains(field)) {
                    fields.add(field);
                }
                String objectId = text(value.get("id"));
                String level = text(value.get("level"));
                String status = text(value.get("status_name"));
                if (!sameAccount || objectId == null || level == null || status == null
                        || !List.of("in_process_ad_objects", "with_issues_ad_objects").contains(field)) {
                    continue;
                }
                String mapped = switch (level + ":" + status) {
                    case "CAMPAIGN:ACTIVE" -> "active";
                    case "CAMPAIGN:PAUSED" -> "paused";
                    case "CAMPAIGN:DELETED", "CAMPAIGN:ARCHIVED" -> "removed_at_provider";
                    case "AD:DISAPPROVED" -> "rejected";
                    case "AD:ACTIVE" -> "in_process_ad_objects".equals(field) ? "approved" : null;
                    default -> null;
                };
                if (mapped != null) {
                    changes.add(new Change("CAMPAIGN".equals(level) ? CAMPAIGN_STATUS : AD_REVIEW, objectId, mapped,
                            at));
                }
            }
        }
        String kind = fields.size() == 1 ? "metaads." + fields.getFirst() : "metaads.ad_account";
        return new Event(id, kind, changes);
    }

    /**
     * TikTok (<i>unverified</i> shape, see {@code TikTokAdsSimulator#webhook}):
     * {@code {event_id, event, advertiser_id, create_time, content}}. Applied:
     * {@code campaign.status_update} with {@code content.operation_status} ENABLE, DISABLE, DELETE;
     * {@code ad.review_result} with {@code content.review_status} APPROVED, REJECTED.
     */
    static Event tiktok(Map<String, Object> body, String rawDigest, String advertiserId) {
        if (body == null) {
            return new Event("sha256:" + rawDigest, "unreadable", List.of());
        }
        String eventId = text(body.get("event_id"));
        String id = eventId == null ? "sha256:" + rawDigest : eventId;
        String event = text(body.get("event"));
        String kind = event == null ? "tiktokads.unknown" : "tiktokads." + event;
        if (!(body.get("content") instanceof Map<?, ?> content) || advertiserId == null
                || !advertiserId.equals(text(body.get("advertiser_id")))) {
            return new Event(id, kind, List.of());
        }
        List<Change> changes = new ArrayList<>();
        Instant at = body.get("create_time") instanceof Number time ? Instant.ofEpochSecond(time.longValue()) : null;
        if ("campaign.status_update".equals(event) && text(content.get("campaign_id")) != null) {
            String mapped = switch (String.valueOf(content.get("operation_status"))) {
                case "ENABLE" -> "active";
                case "DISABLE" -> "paused";
                case "DELETE" -> "removed_at_provider";
                default -> null;
            };
            if (mapped != null) {
                changes.add(new Change(CAMPAIGN_STATUS, text(content.get("campaign_id")), mapped, at));
            }
        } else if ("ad.review_result".equals(event) && text(content.get("ad_id")) != null) {
            String mapped = switch (String.valueOf(content.get("review_status"))) {
                case "APPROVED" -> "approved";
                case "REJECTED" -> "rejected";
                default -> null;
            };
            if (mapped != null) {
                changes.add(new Change(AD_REVIEW, text(content.get("ad_id")), mapped, at));
            }
        }
        return new Event(id, kind, changes);
    }

    /** A string or a number as text; anything else null. Event ids are bounded to what a column holds sanely. */
    private static String text(Object v) {
        String s = switch (v) {
            case String str -> str;
            case Number n -> n.toString();
            case null, default -> null;
        };
        return s == null || s.isEmpty() || s.length() > 200 ? null : s;
    }

    private static String digits(String adAccountId) {
        if (adAccountId == null) {
            return null;
        }
        String d = adAccountId.startsWith("act_") ? adAccountId.substring(4) : adAccountId;
        return d.matches("\\d{1,20}") ? d : null;
    }
}
