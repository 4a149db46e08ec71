// Met à jour toutes les 30 secondes les comptes de réponses de la page d'un événement.
(function () {
  const section = document.getElementById("comptes");
  if (!section) return;
  const format = new Intl.NumberFormat("fr-FR");
  async function refresh() {
    try {
      const answer = await fetch(section.dataset.source, { headers: { Accept: "application/json" } });
      if (!answer.ok) return;
      const data = await answer.json();
      for (const line of data.comptes) {
        const row = section.querySelector(`tr[data-categorie="${line.libelle}"]`);
        if (!row) continue;
        for (const cell of row.querySelectorAll("td[data-champ]")) {
          cell.textContent = format.format(line[cell.dataset.champ]);
        }
      }
    } catch (error) {
      // Réseau coupé : la page garde les derniers comptes affichés.
    }
  }
  setInterval(refresh, 30000);
})();
