// The console's passkeys: register one (Passkeys page) and approve with one (inbox). Plain browser
// JavaScript, no build step. WebAuthn's binary fields travel as base64url in JSON, as
// PublicKeyCredential.toJSON() writes them; the broker's passkey endpoints take and give that form.
(function () {
  "use strict";
  // htmx re-runs this script when it swaps in a page that includes it: listen once
  if (window.consolePasskeys) return;
  window.consolePasskeys = true;
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  const b64url = {
    decode(s) {
      const pad = "=".repeat((4 - (s.length % 4)) % 4);
      const bin = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
      return Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer;
    },
    encode(buf) {
      const bytes = new Uint8Array(buf);
      let bin = "";
      for (const b of bytes) bin += String.fromCharCode(b);
      return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    },
  };

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "application/json" },
      body: JSON.stringify(body || {}),
    });
    let json = null;
    try { json = await response.json(); } catch (e) { json = null; }
    if (!response.ok) {
      const error = json && json.error ? json.error : { code: "http_" + response.status, message: response.statusText };
      throw Object.assign(new Error(error.message), { code: error.code });
    }
    return json;
  }

  function creationOptions(o) {
    return Object.assign({}, o, {
      challenge: b64url.decode(o.challenge),
      user: Object.assign({}, o.user, { id: b64url.decode(o.user.id) }),
      excludeCredentials: (o.excludeCredentials || []).map((c) => Object.assign({}, c, { id: b64url.decode(c.id) })),
    });
  }

  function requestOptions(o) {
    return Object.assign({}, o, {
      challenge: b64url.decode(o.challenge),
      allowCredentials: (o.allowCredentials || []).map((c) => Object.assign({}, c, { id: b64url.decode(c.id) })),
    });
  }

  function credentialJson(c) {
    if (typeof c.toJSON === "function") return c.toJSON();
    const r = c.response;
    const response = { clientDataJSON: b64url.encode(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = b64url.encode(r.attestationObject);
      response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
    }
    if (r.authenticatorData) response.authenticatorData = b64url.encode(r.authenticatorData);
    if (r.signature) response.signature = b64url.encode(r.signature);
    if (r.userHandle) response.userHandle = b64url.encode(r.userHandle);
    return { id: c.id, rawId: b64url.encode(c.rawId), type: c.type, response: response,
             authenticatorAttachment: c.authenticatorAttachment || null,
             clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {} };
  }

  function say(el, text, kind) {
    if (!el) return;
    el.textContent = text;
    el.className = (el.className.split(" ").filter((c) => c !== "ok" && c !== "error").join(" ") + " " + (kind || "")).trim();
  }

  async function register(button) {
    const status = document.getElementById("passkey-status");
    button.disabled = true;
    say(status, "Asking your authenticator…");
    try {
      const started = await post("/console/passkeys/registrations");
      const credential = await navigator.credentials.create({ publicKey: creationOptions(started.public_key) });
      const done = await post("/console/passkeys/registrations/" + encodeURIComponent(started.registration_id) + "/complete",
        { credential: credentialJson(credential) });
      say(status, "Passkey registered: " + done.passkey_id, "ok");
    } catch (e) {
      say(status, "Not registered: " + (e.code ? e.code + " " : "") + e.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  async function approve(button) {
    const card = button.closest("article");
    const status = card.querySelector(".passkey-status");
    const approval = button.dataset.approval;
    card.querySelectorAll("button").forEach((b) => (b.disabled = true));
    say(status, "Asking your authenticator…");
    try {
      const challenge = await post("/console/approvals/" + encodeURIComponent(approval) + "/passkey-challenge");
      const assertion = await navigator.credentials.get({ publicKey: requestOptions(challenge.public_key) });
      say(status, "Approving: reserving and calling the provider…");
      const decided = await post("/console/approvals/" + encodeURIComponent(approval) + "/approve-with-passkey",
        { passkey: { challenge_id: challenge.challenge_id, credential: credentialJson(assertion) } });
      window.location.assign("/console/executions/" + encodeURIComponent(decided.execution.execution_id) + "?decided=approved");
    } catch (e) {
      say(status, "Not approved: " + (e.code ? e.code + " " : "") + e.message, "error");
      card.querySelectorAll("button").forEach((b) => (b.disabled = false));
    }
  }

  document.addEventListener("click", (event) => {
    const target = event.target;
    if (target.id === "register-passkey") register(target);
    if (target.classList && target.classList.contains("passkey-approve")) approve(target);
  });
})();
