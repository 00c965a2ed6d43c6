/* Forms that work without signal (PPKS registration, offline village survey): form[data-offline-form].

   - What is typed is kept as a draft on the device (per user) and restored after a reload, a closed tab
     or a sign-out; it is dropped once the entry is saved (outbox) or sent (online form).
   - On "Simpan" the page asks the server first (a short session check): with signal and a live
     session the registration form is posted as usual; without either, the entry goes to the outbox
     with a client UUID and is sent later. The survey always goes through the outbox (one API call).
   - ``?outbox=<uuid>`` opens an entry the server sent back ("perlu perbaikan") with its errors beside
     the fields; saving it puts it back in the outbox with the same UUID and sends it again. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-form]");
  var Outbox = window.SidbsOutbox;
  var Offline = window.SidbsOffline;
  if (!form || !Outbox || !Offline) { return; }
  var t = Offline.t;
  var kind = form.getAttribute("data-offline-form");
  var draftKey = Offline.user + ":" + form.getAttribute("data-draft-key");
  var outboxUrl = form.getAttribute("data-outbox-url") || "/luring/kotak-keluar/";
  var editing = new URLSearchParams(window.location.search).get("outbox");
  var SKIP = { csrfmiddlewaretoken: true, form_token: true, confirmed: true };
  var notice = form.querySelector("[data-offline-notice]");
  if (!notice) {
    notice = document.createElement("p");
    notice.className = "notice";
    notice.setAttribute("role", "status");
    notice.hidden = true;
    form.insertBefore(notice, form.firstChild);
  }

  function say(text, tone) {
    notice.textContent = text;
    notice.className = "notice" + (tone ? " " + tone : "");
    notice.hidden = !text;
  }

  function values() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || SKIP[input.name] || input.disabled || input.type === "submit" || input.type === "button") { return; }
      if (input.type === "checkbox") { data[input.name] = input.checked; }
      else if (input.type === "radio") { if (input.checked) { data[input.name] = input.value; } }
      else { data[input.name] = input.value; }
    });
    return data;
  }

  function fill(data) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || SKIP[input.name] || !(input.name in data)) { return; }
      if (input.type === "checkbox") { input.checked = !!data[input.name]; }
      else if (input.type === "radio") { input.checked = data[input.name] === input.value; }
      else { input.value = data[input.name]; }
    });
  }

  function optionText(name) {
    var input = form.elements[name];
    if (!input || input.tagName !== "SELECT" || input.selectedIndex < 0 || !input.value) { return input ? input.value : ""; }
    return input.options[input.selectedIndex].text;
  }

  function showErrors(errors) {
    Array.prototype.forEach.call(form.querySelectorAll(".offline-error"), function (node) { node.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll(".has-error"), function (node) { node.classList.remove("has-error"); });
    var general = [];
    Object.keys(errors || {}).forEach(function (field) {
      var input = form.elements[field];
      var target = input && (input.length && !input.tagName ? input[0] : input);
      var box = target && target.closest(".field, .question");
      if (!box) { general = general.concat(errors[field]); return; }
      box.classList.add("has-error");
      errors[field].forEach(function (message) {
        var small = document.createElement("small");
        small.className = "error offline-error";
        small.setAttribute("role", "alert");
        small.textContent = message;
        box.appendChild(small);
      });
    });
    if (general.length) {
      var div = document.createElement("div");
      div.className = "errors offline-error";
      div.setAttribute("role", "alert");
      div.textContent = general.join(" ");
      form.insertBefore(div, notice.nextSibling);
    }
  }

  function optional(target, name, value) {
    if (value !== "" && value !== undefined && value !== null) { target[name] = value; }
  }

  function padded(value) { return /^\d{1,3}$/.test(value || "") ? ("00" + value).slice(-3) : (value || ""); }

  var builders = {
    registration: function (v) {
      var person = {
        name: v.name || "", kk_number: (v.kk_number || "").replace(/\s/g, ""), birth_place: v.birth_place || "",
        village: v.village || "", dusun: v.dusun || "", rt: padded(v.rt), rw: padded(v.rw),
        street_address: v.street_address || "", phone: v.phone || "", disability: v.disability || ""
      };
      optional(person, "nik", (v.nik || "").replace(/\s/g, ""));
      ["nik_status", "sex", "birth_date", "dtsen_decile", "dtsen_decile_as_of"].forEach(function (name) {
        optional(person, name, v[name]);
      });
      var payload = { person: person, category: v.category || "", needs: v.needs || "", submit: !!v.submit_now };
      optional(payload, "assessed_on", v.assessed_on);
      return payload;
    },
    assessment: function (v) {
      var answers = {};
      Object.keys(v).forEach(function (name) {
        if (name.indexOf("answer-") === 0 && v[name]) { answers[name.slice(7)] = parseInt(v[name], 10); }
      });
      return {
        village: v.village || "", year: parseInt(v.year, 10) || null, phase: v.phase || "",
        period_label: v.period_label || "", submit: !!v.submit_now,
        respondents: [{ name: v["respondent-name"] || "", institution: v["respondent-institution"] || "",
                        position: v["respondent-position"] || "", sex: v["respondent-sex"] || "", answers: answers }]
      };
    }
  };

  function label(v) {
    if (kind === "registration") {
      return [v.name || "?", optionText("category")].filter(Boolean).join(" · ");
    }
    return [optionText("village"), v["respondent-name"]].filter(Boolean).join(" · ");
  }

  /* Drafts: saved a moment after each change. */
  var timer = null;
  function keepDraft() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { Outbox.draft.put(draftKey, values()); }, 250);
  }

  var pristine = values();
  function start() {
    if (editing) {
      return Outbox.get(editing).then(function (item) {
        if (!item || !item.form) { editing = null; say(t("missing"), "warn"); return; }
        fill(item.form);
        showErrors(item.errors);
        say(t("editing"), "warn");
      });
    }
    if (form.querySelector(".has-error, .errors, [name=confirmed]")) { return Promise.resolve(); }  /* the server's answer */
    return Outbox.draft.get(draftKey).then(function (saved) {
      if (!saved) { return; }
      var changed = Object.keys(saved).some(function (name) { return saved[name] !== pristine[name] && saved[name] !== ""; });
      if (changed) { fill(saved); say(t("restored")); }
    });
  }

  function toOutbox() {
    var v = values();
    var work;
    if (editing) {
      work = Outbox.get(editing).then(function (item) {
        item.form = v;
        item.payload = builders[kind](v);
        item.label = label(v);
        item.state = "menunggu";
        item.errors = {};
        return Outbox.put(item);
      });
    } else {
      work = Outbox.add(kind, Offline.user, label(v), v, builders[kind](v));
    }
    return work.then(function () { return Outbox.draft.remove(draftKey); }).then(function () {
      window.clearTimeout(timer);
      if (editing) {  /* the outbox page sends it as it opens */
        say(t("fixed"));
        window.location.href = outboxUrl;
        return;
      }
      form.reset();
      showErrors({});
      say(t("saved"));
      window.scrollTo(0, 0);
      Offline.requestSync();
    });
  }

  /* Is the server there, with this user signed in? (A few seconds at most: weak signal counts as none.) */
  function serverReady() {
    if (!navigator.onLine) { return Promise.resolve(false); }
    var controller = window.AbortController ? new AbortController() : null;
    var timeout = window.setTimeout(function () { if (controller) { controller.abort(); } }, 5000);
    return fetch("/luring/sesi/", { credentials: "same-origin", cache: "no-store", signal: controller && controller.signal })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { return !!body && body.user === Offline.user; }, function () { return false; })
      .then(function (ready) { window.clearTimeout(timeout); return ready; });
  }

  form.addEventListener("input", keepDraft);
  form.addEventListener("change", keepDraft);
  form.addEventListener("submit", function (event) {
    if (form.dataset.online === "1") { Outbox.draft.remove(draftKey); return; }  /* a normal post, checked below */
    event.preventDefault();
    var submitter = event.submitter;
    if (kind !== "registration" || editing) { toOutbox(); return; }
    serverReady().then(function (ready) {
      if (!ready) { toOutbox(); return; }
      form.dataset.online = "1";
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
    });
  });
  window.addEventListener("pageshow", function () { delete form.dataset.online; });
  start();
})();
