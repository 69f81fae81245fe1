// SPDX-License-Identifier: GPL-3.0-or-later
// kit tableau: renders the server's state (server-sent events) and sends the answers back.
// Plain JavaScript, no build step. Every text goes in through textContent, never as HTML.
"use strict";

function $(id) { return document.getElementById(id); }

function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children || []) node.append(child);
  return node;
}

async function post(path, data) {
  $("erreur").textContent = "";
  try {
    const response = await fetch(path, {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(data),
    });
    const answer = await response.json();
    if (!answer.ok) $("erreur").textContent = answer.erreur || "Le kit a refusé la demande.";
  } catch (error) {
    $("erreur").textContent = "Le kit ne répond plus : est-il toujours lancé ?";
  }
}

// --- the rehearsal -----------------------------------------------------------------------------

let rehearsal = null;

function answer(value) {
  if (rehearsal && rehearsal.step === "en-cours" && !rehearsal.busy) {
    post("/repetition/repondre", {index: rehearsal.index, valeur: value});
  }
}

function renderRehearsal(state) {
  rehearsal = state;
  $("choix").hidden = state.step !== "choix";
  $("oral").hidden = state.step !== "en-cours";
  $("fin").hidden = state.step !== "fin";
  if (state.draw) {
    const d = state.draw;
    const resume = `Tirage n° ${d.seed} — ${d.title} — ${d.support} : ${d.lesson}. ` +
      `Public : ${d.public} — Situation : ${d.situation}`;
    $("tirage-resume").textContent = resume;
    $("fin-resume").textContent = resume;
    $("tirage-court").textContent = `Tirage n° ${d.seed} — ${d.support} : ${d.lesson}`;
    $("durees").replaceChildren(...d.notices.map((notice) => el("li", {text: notice})));
  }
  if (state.step === "en-cours") renderPrompt(state);
  if (state.step === "fin") renderEnd(state.end);
  $("retours").replaceChildren(...state.feedback.slice().reverse().map(
    (f) => el("li", {class: f.level, text: f.text})));
}

function renderPrompt(state) {
  const p = state.prompt;
  const counter = p.count > 1 ? ` (${p.index + 1}/${p.count})` : "";
  $("partie").textContent = p.part_label + counter;
  $("consigne-titre").textContent = p.title;
  const timed = p.kind === "minuteur";
  $("minuteur").hidden = !timed;
  $("minuteur-message").hidden = !timed;
  $("minuteur-atelier").hidden = !timed;
  $("minuteur-budget").textContent = timed
    ? (p.budget ? ` / ${p.budget}` : " (aucune limite fixée)") : "";
  $("question").textContent = p.kind === "minuteur" && p.part === "atelier" ? "" : p.question;
  $("lignes").replaceChildren(...p.lines.map((line) => el("li", {text: line})));
  $("jury").hidden = p.looks_at.length === 0;
  $("jury-liste").replaceChildren(...p.looks_at.map((line) => el("li", {text: line})));
  $("avis").textContent = p.notice;
  const actions = $("actions");
  const buttons = [];
  if (state.busy) {
    buttons.push(el("p", {text: state.busy, role: "status"}));
  } else if (timed) {
    const label = p.part === "atelier" ? "Phase suivante" : "Suivant";
    buttons.push(el("button", {type: "button", id: "suivant", text: label + " (espace)",
                               onclick: () => answer(0)}));
  } else if (p.kind === "oui-non") {
    buttons.push(el("button", {type: "button", id: "oui", text: "Oui (O)", onclick: () => answer(true)}));
    buttons.push(el("button", {type: "button", id: "non", class: "secondaire", text: "Non (N)",
                               onclick: () => answer(false)}));
  } else if (p.kind === "note") {
    for (const [score, label] of p.scale) {
      buttons.push(el("button", {type: "button", id: `note-${score}`, text: `${score} — ${label}`,
                                 onclick: () => answer(score)}));
    }
  } else if (p.kind === "demonstration") {
    buttons.push(el("p", {text: "Commandes : " + p.commands.join(" ; ")}));
    buttons.push(el("button", {type: "button", id: "lancer-demo", text: "Lancer la démonstration",
      onclick: () => post("/repetition/demonstration", {index: state.index, lancer: true})}));
    buttons.push(el("button", {type: "button", id: "passer-demo", class: "secondaire", text: "Passer",
      onclick: () => post("/repetition/demonstration", {index: state.index, lancer: false})}));
  } else {
    const area = el("textarea", {id: "texte", "aria-label": p.question});
    buttons.push(area);
    buttons.push(el("button", {type: "button", id: "valider", text: "Valider",
                               onclick: () => answer(area.value)}));
  }
  const focused = document.activeElement && document.activeElement.id;
  const sameKind = actions.dataset.index === String(state.index);
  if (!sameKind) {
    actions.replaceChildren(...buttons);
    actions.dataset.index = String(state.index);
    const first = actions.querySelector("textarea, button");
    if (first && focused !== "texte") first.focus({preventScroll: true});
  } else if (state.busy || actions.querySelector("[role=status]")) {
    actions.replaceChildren(...buttons);
  }
}

function renderTimer(timer) {
  if (!timer || !rehearsal || timer.index !== rehearsal.index) return;
  $("minuteur-temps").textContent = timer.shown;
  const box = $("minuteur");
  box.className = "minuteur " + timer.level;
  box.dataset.niveau = timer.level;
  $("minuteur-message").textContent = timer.message;
  $("minuteur-atelier").textContent = timer.atelier || "";
}

function renderEnd(end) {
  $("titre-fin").textContent = end.interrupted ? "Répétition interrompue" : "Fin de la répétition";
  $("fin-atelier").textContent = end.summary;
  $("fin-atelier").className = end.summary_level;
  $("fin-avertissement").textContent = end.grid_notice;
  $("grille").tBodies[0].replaceChildren(...end.grid.map((row) => el("tr", {}, [
    el("td", {text: row.text}), el("td", {text: row.competence}),
    el("td", {text: row.score === null ? "non noté" : `${row.score} — ${row.label}`}),
  ])));
  $("par-competence").replaceChildren(...end.by_competence.map((t) => el("li", {text: t})));
  $("fin-dossier").textContent = end.missing.length
    ? "À prévoir pour le dossier : " + end.missing.join(" ; ") + "." : "";
  $("rapports").replaceChildren(...end.reports.map((path) => el("li", {text: path})));
  $("lien-rapport").hidden = !end.report_url;
}

function setUpRehearsal() {
  $("form-choix").addEventListener("submit", (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.target).entries());
    post("/repetition/demarrer", data);
  });
  $("arreter").addEventListener("click", () => {
    if (window.confirm("Arrêter la répétition ici ? Le rapport partiel sera écrit.")) {
      post("/repetition/arreter", {});
    }
  });
  $("nouvelle").addEventListener("click", () => {
    $("fin").hidden = true; $("choix").hidden = false; $("titre").focus();
  });
  document.addEventListener("keydown", (event) => {
    if (!rehearsal || rehearsal.step !== "en-cours" || rehearsal.busy) return;
    const target = event.target;
    if (target && (target.tagName === "TEXTAREA" || target.tagName === "INPUT" ||
                   target.tagName === "SELECT")) return;
    const kind = rehearsal.prompt.kind;
    if (kind === "minuteur" && [" ", "ArrowRight", "ArrowDown", "PageDown"].includes(event.key)) {
      event.preventDefault();
      answer(0);
    } else if (kind === "oui-non" && ["o", "O", "n", "N"].includes(event.key)) {
      event.preventDefault();
      answer(event.key.toLowerCase() === "o");
    } else if (kind === "note" && ["0", "1", "2", "3"].includes(event.key)) {
      event.preventDefault();
      answer(Number(event.key));
    }
  });
}

// --- the atelier -------------------------------------------------------------------------------

function printerCard(p) {
  const children = [el("h3", {text: p.name}),
                    el("p", {class: "etat", text: "État : " + p.state_fr})];
  if (p.message_fr) children.push(el("p", {class: "message", text: p.message_fr}));
  children.push(el("p", {text: "Températures : " + p.temperatures_fr}));
  if (p.job) {
    children.push(el("p", {text: "Impression : " + p.job_fr}));
    const bar = el("progress", {max: "100", value: String(p.progress),
                                "aria-label": `Avancement de ${p.name}`});
    children.push(bar);
    children.push(el("p", {text: "Temps restant : " + p.remaining_fr}));
  }
  children.push(el("img", {src: p.picture, alt: `Couches imprimées par ${p.name}`,
                           width: "320", height: "200"}));
  return el("article", {class: `carte imprimante ${p.state_class}`, "data-nom": p.name,
                        "aria-label": `Imprimante ${p.name}`}, children);
}

function defiCard(d) {
  const children = [el("h3", {text: d.title}),
    el("p", {class: d.passed ? "verdict-reussi" : "verdict-manque",
             text: `${d.verdict ? "Défi " + d.verdict : "Terminé"} à ${d.at}`}),
    el("p", {text: d.detail})];
  if (d.figures.length) {
    children.push(el("ul", {}, d.figures.map(([label, value]) => el("li", {text: `${label} : ${value}`}))));
  }
  if (d.picture) children.push(el("img", {src: d.picture, alt: `Trajet du robot : ${d.title}`}));
  return el("article", {class: `carte defi ${d.passed ? "reussi" : "manque"}`}, children);
}

function renderAtelier(state) {
  $("imprimantes-probleme").textContent = state.farm_problem;
  $("imprimantes").replaceChildren(...state.printers.map(printerCard));
  $("defi-en-cours").textContent = state.running ? `Défi en cours : ${state.running}…` : "";
  $("lancer-defi").disabled = Boolean(state.running);
  $("defis").replaceChildren(...(state.defis.length ? state.defis.map(defiCard)
    : [el("p", {text: "Aucun défi lancé depuis l'ouverture du tableau."})]));
  $("cartes-liste").replaceChildren(...(state.cartes.length
    ? state.cartes.map((c) => el("li", {text: `${c.at} — ${c.title} : ${c.detail}`}))
    : [el("li", {text: "Aucune carte flashée ou déployée depuis l'ouverture du tableau."})]));
}

function setUpAtelier() {
  const printForm = $("form-impression");
  if (printForm) {
    printForm.addEventListener("submit", (event) => {
      event.preventDefault();
      post("/atelier/imprimer", {imprimante: $("imprimante").value, fichier: $("fichier").value});
    });
  }
  $("form-defi").addEventListener("submit", (event) => {
    event.preventDefault();
    post("/atelier/defi", {defi: $("defi").value});
  });
}

// --- the live connection -----------------------------------------------------------------------

function connect(view) {
  const source = new EventSource("/evenements");
  source.onopen = () => {
    $("connexion").textContent = "En direct";
    $("connexion").classList.remove("coupee");
  };
  source.onerror = () => {
    $("connexion").textContent = "Connexion perdue avec le kit : nouvel essai…";
    $("connexion").classList.add("coupee");
  };
  if (view === "repetition") {
    source.addEventListener("repetition", (e) => renderRehearsal(JSON.parse(e.data)));
    source.addEventListener("minuteur", (e) => renderTimer(JSON.parse(e.data)));
  } else {
    source.addEventListener("atelier", (e) => {
      const state = JSON.parse(e.data);
      renderAtelier(state);
      document.body.dataset.recu = String(Date.now());
    });
  }
}

(function start() {
  const view = document.body.dataset.vue;
  const initial = JSON.parse($("etat-initial").dataset.etat);
  if (view === "repetition") { setUpRehearsal(); renderRehearsal(initial); }
  else { setUpAtelier(); renderAtelier(initial); }
  connect(view);
})();
