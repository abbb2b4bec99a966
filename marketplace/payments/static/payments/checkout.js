// The card form: Stripe.js collects the card (its own fields, never our server), the server
// confirms the payment intent, and Stripe.js finishes 3-D Secure when the bank asks for it.
(function () {
  "use strict";
  const form = document.getElementById("card-form");
  if (!form) return;
  const errorBox = document.getElementById("card-error");
  const button = document.getElementById("pay-button");
  const stripe = Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");

  function fail(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    button.disabled = false;
  }

  async function cardId() {
    // Stripe.js gives a PaymentMethod; localstripe's stand-in only makes tokens.
    const made = await stripe.createPaymentMethod({ type: "card", card: card });
    if (made && made.error) throw made.error;
    if (made && made.paymentMethod) return made.paymentMethod.id;
    const tokenised = await stripe.createToken(card);
    if (tokenised.error) throw tokenised.error;
    return tokenised.token.card.id;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;
    try {
      const body = new FormData(form);
      body.set("payment_method", await cardId());
      const response = await fetch(form.action, {
        method: "POST",
        body: body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (answer.error) return fail(answer.error);
      if (answer.status === "requires_action") {
        const result = await stripe.confirmCardPayment(answer.client_secret);
        if (result.error) return fail(result.error.message || String(result.error));
      }
      window.location.assign(answer.redirect);
    } catch (error) {
      fail((error && error.message) || String(error));
    }
  });
})();
