// Hall and window displays: live state over server-sent events, each call announced as
// text and speech (speechSynthesis queues utterances, so a new call never cuts off the
// previous one). The first event after every (re)connect is the whole current state.
(function () {
  "use strict";
  var root = document.getElementById("hall-display");
  if (!root || !window.EventSource) { return; }
  var onlyWindow = root.getAttribute("data-window");
  var status = document.getElementById("live-status");
  var latest = document.getElementById("latest-call");

  function text(el, s) { if (el) { el.textContent = s; } }

  function speak(s) {
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) { return; }
    var u = new SpeechSynthesisUtterance(s);
    u.lang = "zh-CN";
    u.rate = 0.9;
    window.speechSynthesis.speak(u);
  }

  function render(state) {
    var recent = state.recent.filter(function (c) {
      return !onlyWindow || String(c.window) === onlyWindow;
    });
    text(latest, recent.length ? recent[0].text : "");
    var list = document.getElementById("recent-calls");
    if (list) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      recent.forEach(function (c) {
        var li = document.createElement("li");
        li.textContent = c.at + " " + c.text;
        list.appendChild(li);
      });
    }
    state.windows.forEach(function (w) {
      var row = document.querySelector('#windows tr[data-window="' + w.number + '"] .current');
      text(row, w.current || "—");
      if (onlyWindow && String(w.number) === onlyWindow) {
        text(document.getElementById("window-current"), w.current || "—");
      }
    });
    state.services.forEach(function (s) {
      text(document.querySelector('#services tr[data-service="' + s.code + '"] .waiting'), String(s.waiting));
    });
  }

  var source = new EventSource(root.getAttribute("data-events"));
  source.addEventListener("state", function (e) {
    var state = JSON.parse(e.data);
    render(state);
    state.calls.forEach(function (c) {
      if (!onlyWindow || String(c.window) === onlyWindow) {
        speak(c.text);
        root.setAttribute("data-last-call", c.text);
      }
    });
    root.setAttribute("data-events-seen", String(Number(root.getAttribute("data-events-seen") || "0") + 1));
    text(status, "实时更新中（" + state.day + "）");
  });
  source.onerror = function () { text(status, "连接中断，正在重新连接…"); };
  source.onopen = function () { text(status, "实时更新中"); };
})();
