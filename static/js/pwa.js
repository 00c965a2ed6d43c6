/* Offline support on every signed-in page: registers the service worker, keeps the working pages warm,
   sends the outbox when the network returns, shows an offline banner, and draws the outbox (its page
   and the summary on the Pensosmas home). Texts come translated from templates/offline/_strings.html. */
(function () {
  "use strict";
  var meta = document.querySelector("meta[name=sidbs-user]");
  var Outbox = window.SidbsOutbox;
  if (!meta || !Outbox || !window.indexedDB) { return; }
  var user = meta.getAttribute("content");
  var strings = {};
  try { strings = JSON.parse(document.getElementById("offline-strings").textContent); } catch (error) { strings = {}; }
  function t(key, values) {
    var text = strings[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    return text;
  }
  window.SidbsOffline = { t: t, user: user, requestSync: requestSync };

  /* Service worker: registered from the root so it covers every page; asked once per tab session
     (and on the home page) to refresh the cached working pages. */
  if ("serviceWorker" in navigator) {
    var script = meta.getAttribute("data-sw");
    navigator.serviceWorker.register(script, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var warmKey = "sidbs-warm-" + user;
      var home = !!document.querySelector("[data-offline-home]");
      if (navigator.onLine && registration.active && (home || !window.sessionStorage.getItem(warmKey))) {
        registration.active.postMessage({ type: "warm" });
        window.sessionStorage.setItem(warmKey, "1");
      }
    })["catch"](function () { /* no worker (private mode, old browser): the outbox still works online */ });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "warm-done") { document.documentElement.setAttribute("data-offline-ready", "1"); }
    });
  }

  /* Ask for a send: Background Sync where the browser has it, and right away when online. */
  function requestSync() {
    if ("serviceWorker" in navigator && navigator.serviceWorker.controller) {
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.sync) { return registration.sync.register("sidbs-outbox"); }
        return null;
      })["catch"](function () { return null; });
    }
    if (!navigator.onLine) { return Promise.resolve({ offline: true }); }
    return Outbox.sync();
  }

  /* The banner while offline. */
  var banner = document.createElement("p");
  banner.className = "offline-banner";
  banner.setAttribute("role", "status");
  banner.textContent = t("offline");
  function showConnection() {
    banner.hidden = navigator.onLine;
    document.documentElement.classList.toggle("is-offline", !navigator.onLine);
  }
  var header = document.querySelector(".topbar");
  if (header && header.parentNode) { header.parentNode.insertBefore(banner, header.nextSibling); }
  showConnection();
  window.addEventListener("offline", showConnection);
  window.addEventListener("online", function () { showConnection(); requestSync().then(render); });

  /* The outbox list (outbox page) and the summary (Pensosmas home); both redraw on every change. */
  var list = document.querySelector("[data-outbox-items]");
  var countsBox = document.querySelectorAll("[data-outbox-counts]");
  var statusBox = document.querySelector("[data-outbox-status]");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function itemNode(item) {
    var li = el("li", "outbox-item state-" + item.state);
    li.setAttribute("data-outbox-uuid", item.uuid);
    var head = el("div", "outbox-item-head");
    head.appendChild(el("strong", "outbox-label", item.label || "-"));
    head.appendChild(el("span", "badge outbox-state", t("state_" + item.state)));
    li.appendChild(head);
    var when = new Date(item.createdAt);
    li.appendChild(el("small", "muted", t("kind_" + item.kind) + " · " + t("created") + " " +
      when.toLocaleString("id-ID", { dateStyle: "medium", timeStyle: "short" })));
    if (item.state === "menunggu" && item.lastError) { li.appendChild(el("p", "muted", t("retry_later"))); }
    var errors = item.errors || {};
    var messages = [];
    Object.keys(errors).forEach(function (field) { errors[field].forEach(function (message) { messages.push(message); }); });
    if (messages.length) {
      var ul = el("ul", "errors");
      ul.setAttribute("aria-label", t("errors"));
      messages.forEach(function (message) { ul.appendChild(el("li", "", message)); });
      li.appendChild(ul);
    }
    if (item.warnings && item.warnings.length) {
      var warn = el("ul", "warnings");
      warn.setAttribute("aria-label", t("warnings"));
      item.warnings.forEach(function (message) { warn.appendChild(el("li", "", message)); });
      li.appendChild(warn);
    }
    var actions = el("div", "outbox-actions");
    if (item.state === "perlu_perbaikan" && item.form) {
      var fix = el("a", "btn primary", t("fix"));
      fix.href = (item.kind === "assessment" ? list.getAttribute("data-survey-url") : list.getAttribute("data-register-url")) +
        "?outbox=" + encodeURIComponent(item.uuid);
      actions.appendChild(fix);
    }
    if (item.state === "terkirim" && item.serverUrl) {
      var open = el("a", "btn", t("open"));
      open.href = item.serverUrl;
      actions.appendChild(open);
    }
    if (item.state !== "menunggu") {
      var remove = el("button", "btn link", t("remove"));
      remove.type = "button";
      remove.addEventListener("click", function () {
        if (item.state === "terkirim" || window.confirm(t("remove_confirm"))) { Outbox.remove(item.uuid); }
      });
      actions.appendChild(remove);
    }
    if (actions.childNodes.length) { li.appendChild(actions); }
    return li;
  }

  function render() {
    return Promise.all([Outbox.all(), Outbox.meta.get("needsSignIn")]).then(function (results) {
      /* Entries of another account on this phone are neither shown nor sent, only counted. */
      var items = results[0].filter(function (item) { return !item.user || item.user === user; });
      var others = results[0].length - items.length;
      var counts = Outbox.counts(items);
      Array.prototype.forEach.call(countsBox, function (box) {
        box.textContent = items.length ? t("counts", { waiting: counts.menunggu, fix: counts.perlu_perbaikan, sent: counts.terkirim }) : t("empty");
      });
      if (statusBox) {
        statusBox.textContent = "";
        if (results[1] && counts.menunggu) {
          statusBox.appendChild(document.createTextNode(t("sign_in") + " "));
          var link = el("a", "", t("sign_in_link"));
          link.href = statusBox.getAttribute("data-login-url") || "/akun/masuk/?next=" + encodeURIComponent(window.location.pathname);
          statusBox.appendChild(link);
        }
        if (others) { statusBox.appendChild(el("span", "muted", " " + t("other_user", { count: others }))); }
      }
      if (list) {
        list.textContent = "";
        var order = { perlu_perbaikan: 0, menunggu: 1, terkirim: 2 };
        items.slice().reverse().sort(function (a, b) { return order[a.state] - order[b.state]; })
          .forEach(function (item) { list.appendChild(itemNode(item)); });
      }
    });
  }

  if (list || countsBox.length) {
    if (list) {
      var container = list.closest("[data-outbox-list]");
      list.setAttribute("data-register-url", container.getAttribute("data-register-url"));
      list.setAttribute("data-survey-url", container.getAttribute("data-survey-url"));
    }
    render();
    Outbox.onChange(render);
    Array.prototype.forEach.call(document.querySelectorAll("[data-outbox-send]"), function (button) {
      button.addEventListener("click", function () {
        button.disabled = true;
        if (statusBox) { statusBox.textContent = t("sending"); }
        Outbox.sync().then(function (summary) {
          button.disabled = false;
          return render().then(function () {
            if (statusBox && (summary.offline || summary.unavailable)) { statusBox.textContent = t(summary.offline ? "offline" : "retry_later"); }
          });
        });
      });
    });
  }
  if (navigator.onLine) { Outbox.all().then(function (items) {
    if (items.some(function (item) { return item.state === "menunggu" && item.user === user; })) { requestSync(); }
  }); }
})();
