/* SI-DBS service worker (served at /sw.js by config.pwa.service_worker, which prepends SIDBS_CONFIG).

   - The app shell (CSS, scripts, icon) is cached when the worker installs, per version.
   - The user's own working pages (SIDBS_CONFIG.pages: Pensosmas home, register PPKS, offline survey,
     outbox, reference data) are fetched from the network first and kept for use without signal.
     Nothing else is cached: lists and detail pages of people are never stored.
   - Signing out (the POST to the sign-out URL) or landing on the sign-in page deletes those pages;
     the outbox in IndexedDB is kept (see README "Pensosmas offline").
   - Background Sync ("sidbs-outbox") sends the outbox when the network returns. */
/* global SIDBS_CONFIG, SidbsOutbox */
"use strict";

var CONFIG = self.SIDBS_CONFIG;
importScripts(CONFIG.outboxScript);

var SHELL_CACHE = "sidbs-shell-" + CONFIG.version;
var PAGES_CACHE = "sidbs-pages";

function offlineResponse() {
  return new Response(
    "<!DOCTYPE html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>SI-DBS</title><p>Tanpa sinyal: halaman ini belum tersimpan di perangkat. " +
    "<a href='" + CONFIG.fallback + "'>Kotak keluar</a></p>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
  );
}

function forgetPages() { return caches["delete"](PAGES_CACHE); }

function pageKey(url) { return new URL(url, self.location.origin).pathname; }

function isSignInPage(response) {
  return response && response.url && pageKey(response.url) === CONFIG.login;
}

/* Fetch a working page and keep it, unless the answer is the sign-in page (the session ended). */
function fetchAndKeep(request, key) {
  return fetch(request).then(function (response) {
    if (isSignInPage(response)) { return forgetPages().then(function () { return response; }); }
    if (response.ok && response.type === "basic" && !response.redirected) {
      var copy = response.clone();
      return caches.open(PAGES_CACHE).then(function (cache) { return cache.put(key, copy); })
        .then(function () { return response; });
    }
    return response;
  });
}

/* One page after the other: gentle on a weak connection (and on the server). */
function warmPages() {
  return CONFIG.pages.reduce(function (chain, page) {
    return chain.then(function () {
      return fetchAndKeep(new Request(page, { credentials: "same-origin" }), page)["catch"](function () { return null; });
    });
  }, Promise.resolve());
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(CONFIG.shell); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("sidbs-shell-") === 0 && name !== SHELL_CACHE;
    }).map(function (name) { return caches["delete"](name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var work = null;
  if (data.type === "warm") {
    work = warmPages();
  } else if (data.type === "signed-out") {
    work = forgetPages();
  } else if (data.type === "sync") {
    work = SidbsOutbox.sync();
  }
  if (work) {
    event.waitUntil(work.then(function () {
      if (event.source) { event.source.postMessage({ type: data.type + "-done" }); }
    }));
  }
});

self.addEventListener("sync", function (event) {
  /* A round that could not reach the server fails, so the browser tries again later (with back-off). */
  if (event.tag === "sidbs-outbox") {
    event.waitUntil(SidbsOutbox.sync().then(function (summary) {
      if (summary.offline || summary.unavailable) { throw new Error("outbox: server not reached"); }
    }));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && url.pathname === CONFIG.logout) {
    event.waitUntil(forgetPages());
    return;
  }
  if (request.method !== "GET") { return; }
  if (CONFIG.shell.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(url.pathname, { cacheName: SHELL_CACHE }).then(function (hit) {
      return hit || fetch(request);
    }));
    return;
  }
  if (CONFIG.pages.indexOf(url.pathname) !== -1) {
    event.respondWith(fetchAndKeep(request, url.pathname)["catch"](function () {
      return caches.match(url.pathname, { cacheName: PAGES_CACHE }).then(function (hit) {
        return hit || offlineResponse();
      });
    }));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (isSignInPage(response)) { return forgetPages().then(function () { return response; }); }
      return response;
    }, function () {
      return caches.match(CONFIG.fallback, { cacheName: PAGES_CACHE }).then(function (hit) {
        return hit || offlineResponse();
      });
    }));
  }
});
