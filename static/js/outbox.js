/* The offline outbox: entries typed without signal, kept in IndexedDB until the server has them.

   Used by the pages (window) and by the service worker (background sync), so no DOM here. Every entry
   has a client UUID made on the device; it is the Idempotency-Key (registrations) or client_uuid
   (assessments) of the API call, so an entry sent twice is stored once. States: "menunggu" (waiting),
   "terkirim" (the server has it; the typed data is then dropped from the device), "perlu_perbaikan"
   (the server refused it: the field errors are kept on the entry for correction). A 401/403 keeps every
   entry and asks the user to sign in again. Drafts (what is typed in a form, not yet saved) live in
   the "drafts" store, per user, and survive reloads, closed tabs and sign-out. */
(function (root) {
  "use strict";

  var DB_NAME = "sidbs-offline";
  var DB_VERSION = 1;
  var SESSION_URL = "/luring/sesi/";
  var ENDPOINTS = {
    registration: { url: "/api/v1/registrations/", detail: "/ppks/registrasi/{id}/" },
    assessment: { url: "/api/v1/assessments/", detail: "/asesmen/{id}/" }
  };
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("sidbs-outbox") : null;
  var dbPromise = null;

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = root.indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains("outbox")) { db.createObjectStore("outbox", { keyPath: "uuid" }); }
          if (!db.objectStoreNames.contains("drafts")) { db.createObjectStore("drafts", { keyPath: "key" }); }
          if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta", { keyPath: "key" }); }
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { dbPromise = null; reject(request.error); };
      });
    }
    return dbPromise;
  }

  function run(storeName, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(storeName, mode);
        var result;
        var request = work(transaction.objectStore(storeName));
        if (request) { request.onsuccess = function () { result = request.result; }; }
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) { return root.crypto.randomUUID(); }
    var bytes = root.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function notify() { if (channel) { channel.postMessage("changed"); } }

  var Outbox = {
    uuid: uuid,
    all: function () {
      return run("outbox", "readonly", function (store) { return store.getAll(); }).then(function (items) {
        return (items || []).sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
      });
    },
    get: function (id) { return run("outbox", "readonly", function (store) { return store.get(id); }); },
    put: function (item) {
      item.updatedAt = new Date().toISOString();
      return run("outbox", "readwrite", function (store) { return store.put(item); }).then(function () {
        notify();
        return item;
      });
    },
    remove: function (id) {
      return run("outbox", "readwrite", function (store) { return store["delete"](id); }).then(notify);
    },
    /* A new waiting entry: ``form`` is what was typed (to correct it later), ``payload`` what the API gets. */
    add: function (kind, user, label, form, payload) {
      var now = new Date().toISOString();
      return Outbox.put({ uuid: uuid(), kind: kind, user: user, label: label, form: form, payload: payload,
                          state: "menunggu", errors: {}, warnings: [], createdAt: now });
    },
    draft: {
      get: function (key) {
        return run("drafts", "readonly", function (store) { return store.get(key); }).then(function (row) {
          return row ? row.values : null;
        });
      },
      put: function (key, values) {
        return run("drafts", "readwrite", function (store) {
          return store.put({ key: key, values: values, savedAt: new Date().toISOString() });
        });
      },
      remove: function (key) { return run("drafts", "readwrite", function (store) { return store["delete"](key); }); }
    },
    meta: {
      get: function (key) {
        return run("meta", "readonly", function (store) { return store.get(key); }).then(function (row) {
          return row ? row.value : null;
        });
      },
      put: function (key, value) {
        return run("meta", "readwrite", function (store) { return store.put({ key: key, value: value }); });
      }
    },
    onChange: function (callback) {
      if (channel) { new BroadcastChannel("sidbs-outbox").onmessage = callback; }
    },
    counts: function (items) {
      var counts = { menunggu: 0, perlu_perbaikan: 0, terkirim: 0 };
      items.forEach(function (item) { counts[item.state] = (counts[item.state] || 0) + 1; });
      return counts;
    },
    flattenErrors: flattenErrors,
    /* Send every waiting entry of the signed-in user; resolves to a summary (never rejects). */
    sync: function () {
      if (root.navigator && root.navigator.locks) {
        return root.navigator.locks.request("sidbs-outbox-sync", { ifAvailable: true }, function (lock) {
          return lock ? sendAll() : { busy: true };
        });
      }
      return sendAll();
    }
  };

  /* DRF errors, possibly nested (``person``: {...}, ``respondents``: [{...}]), as {form field: [messages]}. */
  function flattenErrors(body, prefix, out) {
    out = out || {};
    prefix = prefix || "";
    if (typeof body === "string") { (out.non_field_errors = out.non_field_errors || []).push(body); return out; }
    Object.keys(body || {}).forEach(function (key) {
      var value = body[key];
      var name = key === "detail" ? "non_field_errors" : key === "submit" ? "submit_now" : prefix + key;
      if (key === "person") { flattenErrors(value, "", out); return; }
      if (key === "respondents" && Array.isArray(value)) {
        value.forEach(function (row) {
          if (row && typeof row === "object" && !Array.isArray(row)) { flattenErrors(row, "respondent-", out); }
          else if (typeof row === "string") { (out.non_field_errors = out.non_field_errors || []).push(row); }
        });
        return;
      }
      if (Array.isArray(value)) {
        value.forEach(function (message) {
          if (typeof message === "string") { (out[name] = out[name] || []).push(message); }
          else { flattenErrors(message, prefix, out); }
        });
      } else if (value && typeof value === "object") {
        flattenErrors(value, prefix, out);
      } else if (value !== undefined && value !== null) {
        (out[name] = out[name] || []).push(String(value));
      }
    });
    return out;
  }

  function session() {
    return fetch(SESSION_URL, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403 || response.redirected) { return { signedOut: true }; }
        if (!response.ok) { return { unavailable: response.status }; }
        return response.json();
      }, function () { return { offline: true }; });
  }

  function sendOne(item, state) {
    var endpoint = ENDPOINTS[item.kind];
    var payload = item.payload || {};
    if (item.kind === "assessment") { payload.client_uuid = item.uuid; }
    return fetch(endpoint.url, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": state.csrf,
                 "Idempotency-Key": item.uuid },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }, function () { return { offline: true }; });
  }

  function sendAll() {
    var summary = { sent: 0, fix: 0, waiting: 0, otherUser: 0 };
    return Outbox.all().then(function (items) {
      var waiting = items.filter(function (item) { return item.state === "menunggu"; });
      if (!waiting.length) { return summary; }
      return session().then(function (state) {
        if (state.offline) { summary.offline = true; return summary; }
        if (state.signedOut) {
          summary.signedOut = true;
          return Outbox.meta.put("needsSignIn", true).then(function () { notify(); return summary; });
        }
        if (state.unavailable) { summary.unavailable = state.unavailable; return summary; }
        return Outbox.meta.put("needsSignIn", false).then(function () {
          return waiting.reduce(function (chain, item) {
            return chain.then(function (stop) {
              if (stop) { summary.waiting += 1; return stop; }
              if (item.user && item.user !== state.user) { summary.otherUser += 1; return false; }
              return sendOne(item, state).then(function (result) { return record(item, result, summary); });
            });
          }, Promise.resolve(false));
        }).then(function () {
          return Outbox.meta.put("lastSync", new Date().toISOString());
        }).then(function () { notify(); return summary; });
      });
    }).catch(function (error) { summary.error = String(error); return summary; });
  }

  /* Keep the server's answer on the entry; true stops the round (no network, or signed out). */
  function record(item, result, summary) {
    if (result.offline) { summary.offline = true; summary.waiting += 1; return true; }
    var status = result.status;
    if (status === 200 || status === 201) {
      item.state = "terkirim";
      item.sentAt = new Date().toISOString();
      item.serverId = result.body.id;
      item.serverUrl = ENDPOINTS[item.kind].detail.replace("{id}", result.body.id);
      item.warnings = result.body.warnings || [];
      item.errors = {};
      delete item.lastError;
      delete item.payload;  /* the server has it now: the personal data leaves the device */
      delete item.form;
      summary.sent += 1;
      return Outbox.put(item).then(function () { return false; });
    }
    if (status === 400 || status === 409 || status === 422) {
      item.state = "perlu_perbaikan";
      item.errors = flattenErrors(result.body);
      delete item.lastError;
      summary.fix += 1;
      return Outbox.put(item).then(function () { return false; });
    }
    if (status === 401 || status === 403) {
      summary.signedOut = true;
      summary.waiting += 1;
      return Outbox.meta.put("needsSignIn", true).then(function () { return true; });
    }
    item.lastError = status;  /* 429, 5xx: the entry waits for the next round */
    summary.waiting += 1;
    summary.unavailable = status;
    return Outbox.put(item).then(function () { return false; });
  }

  root.SidbsOutbox = Outbox;
})(typeof self !== "undefined" ? self : this);
