// The GOV.UK timeout warning pattern, for signed-in people (templates/includes/timeout_warning.html).
//
// A session ends after SESSION_IDLE_MINUTES without a request. A few minutes before,
// this opens a modal dialog with a countdown. "Stay signed in" (or Escape) asks the
// server to keep the session going. When the time runs out, or the person chooses
// "Sign out", the page's form is sent to /session/end/ if they had changed it, so the
// server signs them out and keeps what they typed for when they sign back in.
//
// The server moves the session's end on at most once a minute (lgdss/sessions.py), so
// each page is told how long its session has left, and counts down from that. Tabs tell
// each other when the session will end, when they load or stay signed in
// (BroadcastChannel), and each counts down to the latest end it has heard of.
// Without JavaScript the dialog is never opened; the server still keeps what someone
// typed if they send a form after their session has ended.

export function initTimeoutWarning() {
  const dialog = document.querySelector("[data-module='app-timeout-warning']");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  // Marked as started, as GOV.UK Frontend marks its own components.
  dialog.setAttribute("data-app-timeout-warning-init", "");
  const sessionMs = Number(dialog.dataset.sessionSeconds) * 1000;
  const leftMs = Number(dialog.dataset.secondsLeft ?? dialog.dataset.sessionSeconds) * 1000;
  const warningMs = Number(dialog.dataset.warningSeconds) * 1000;
  const countdown = dialog.querySelector(".app-timeout-warning__countdown");
  const announcer = dialog.querySelector("[data-timeout-warning-announce]");
  const stay = dialog.querySelector("[data-timeout-warning-stay]");
  const signOutForm = dialog.querySelector("form");
  const token = signOutForm.querySelector("[name='csrfmiddlewaretoken']").value;
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("lgdss-session") : null;

  // The page's own forms as they were when it loaded, to tell whether they were changed.
  const forms = Array.from(document.querySelectorAll("form")).filter(
    (form) => !dialog.contains(form) && (form.getAttribute("method") || "").toLowerCase() === "post",
  );
  const asLoaded = new Map(forms.map((form) => [form, serialise(form)]));

  let deadline = 0;
  let warningTimer = null;
  let ticker = null;
  let announced = "";
  let focusBefore = null;
  let ending = false;

  // Counts down to `ends` (a time in milliseconds), and tells the other tabs.
  function restart(ends, tellOthers) {
    deadline = ends;
    clearTimeout(warningTimer);
    if (dialog.open) {
      close();
    }
    warningTimer = setTimeout(warn, Math.max(0, deadline - Date.now() - warningMs));
    if (channel && tellOthers) {
      channel.postMessage(deadline);
    }
  }

  function warn() {
    focusBefore = document.activeElement;
    announced = "";
    update();
    if (ending) {
      return;
    }
    dialog.showModal();
    stay.focus();
    ticker = setInterval(update, 1000);
  }

  function close() {
    clearInterval(ticker);
    dialog.close();
    announcer.textContent = "";
    if (focusBefore && typeof focusBefore.focus === "function") {
      focusBefore.focus();
    }
  }

  function update() {
    const left = deadline - Date.now();
    if (left <= 0) {
      end();
      return;
    }
    countdown.textContent = describe(left);
    // Screen readers hear the dialog's text when it opens, then each whole minute
    // less, and once more with 30 seconds to go: not every second.
    const seconds = Math.ceil(left / 1000);
    const step = seconds > 60 ? describe(left) : seconds > 30 ? "1 minute" : "30 seconds";
    if (announced && step !== announced) {
      announcer.textContent = `We will sign you out in ${step}.`;
    }
    announced = step;
  }

  async function staySignedIn() {
    try {
      const response = await fetch(dialog.dataset.extendUrl, {
        method: "POST",
        headers: { "X-CSRFToken": token },
        credentials: "same-origin",
      });
      if (response.status === 204) {
        restart(Date.now() + sessionMs, true); // the server saved the session just now
        return;
      }
    } catch {
      return; // no connection: the dialog stays open and the countdown goes on
    }
    end(); // the session had already ended
  }

  function end() {
    if (ending) {
      return;
    }
    ending = true;
    clearInterval(ticker);
    clearTimeout(warningTimer);
    // Forms may have controls named "action" or "submit", which hide the form's own
    // properties of those names: hence the attribute and prototype calls.
    const changed = forms.find((form) => serialise(form) !== asLoaded.get(form));
    const form = changed || signOutForm;
    const page = changed ? new URL(changed.getAttribute("action") || "", window.location.href) : window.location;
    form.setAttribute("action", `${dialog.dataset.endUrl}?next=${encodeURIComponent(page.pathname)}`);
    HTMLFormElement.prototype.submit.call(form);
  }

  stay.addEventListener("click", staySignedIn);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault(); // Escape means "stay signed in"
    staySignedIn();
  });
  signOutForm.addEventListener("submit", (event) => {
    event.preventDefault();
    end();
  });
  if (channel) {
    channel.addEventListener("message", (event) => {
      // Only an end later than ours, beyond the rounding of seconds left to whole seconds.
      const ends = Number(event.data);
      if (ends > deadline + 2000) {
        restart(ends, false);
      }
    });
  }
  restart(Date.now() + leftMs, true);
}

function serialise(form) {
  return new URLSearchParams(new FormData(form)).toString();
}

function describe(milliseconds) {
  const seconds = Math.ceil(milliseconds / 1000);
  if (seconds > 60) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minutes`;
  }
  return seconds === 60 ? "1 minute" : seconds === 1 ? "1 second" : `${seconds} seconds`;
}
