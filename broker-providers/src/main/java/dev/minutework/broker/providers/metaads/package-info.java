/**
 * Adapter for the Meta Marketing API (Graph API): form-encoded parameters with
 * {@code access_token} and {@code appsecret_proof}, budgets and bids in the currency's minor unit,
 * ISO-8601 times on ad sets, image upload then an {@code object_story_spec} creative, insights with
 * string numbers. Reconciles unknown creates by the broker reference embedded in the object's name,
 * maps Graph's own error codes (190, 100, 4/17/613, …) to outcomes, and checks every mutation
 * before approval with Graph's dry run ({@code execution_options=["validate_only"]}).
 */
package dev.minutework.broker.providers.metaads;
