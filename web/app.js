// Talkshop's try page: push-to-talk and chat over the same /v1/voice protocol a speaker uses.
// No build step: plain modern JavaScript. docs/web.md describes the flow.
"use strict";

const $ = (id) => document.getElementById(id);

// What each server error code means for the person at the page.
const errorMessages = {
  bad_message: "The page sent something the server did not understand. Reload the page.",
  not_started: "The conversation had not started yet. Reconnecting…",
  already_started: "The conversation was already running.",
  bad_audio: "Some audio from your microphone could not be decoded. Please try again.",
  unsupported_audio: "Your browser's audio format is not supported.",
  message_too_large: "A piece of audio was too large to send.",
  audio_limit: "This conversation has reached its audio limit. Reload the page to start a new one.",
  rate_limited: "That was a lot at once. Please wait a moment and try again.",
  unknown_conversation: "The earlier conversation could not be found; a new one was started.",
  internal_error: "Something went wrong on our side. Please try again.",
};

const state = {
  socket: null,
  conversationId: null,
  codec: null,            // "opus" (WebCodecs) or "pcm-s16le" (AudioWorklet only)
  context: null,          // AudioContext for capture and playback
  capture: null,          // AudioWorkletNode
  encoder: null,          // WebCodecs AudioEncoder, when available
  encodedTimestamp: 0,
  talking: false,
  heardWhileTalking: false, // the server's endpointer answered before the button was let go
  releasedAt: null,
  microphoneOpenedAt: null, // performance.now() when the microphone stream opened
  replyFramesLeft: 0,
  replyCodec: null,
  playAt: 0,
  reconnects: 0,
  closing: false,
};

function setStatus(text, kind) {
  const element = $("connection");
  element.textContent = text;
  element.className = "status " + (kind || "");
}

function log(text, kind) {
  const item = document.createElement("li");
  item.textContent = text;
  if (kind) item.className = kind;
  $("log").append(item);
  item.scrollIntoView({ block: "nearest" });
}

function setReady(ready) {
  $("talk").disabled = !ready || state.micDenied === true;
  $("message").disabled = !ready;
  $("send").disabled = !ready;
}

// --- Session token and connection -------------------------------------------------------

async function sessionToken() {
  const response = await fetch("/v1/web/session", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
  if (!response.ok) {
    const reason = (await response.text()).trim();
    throw new Error(response.status === 404 ? "The try page is turned off on this server." : reason || "no session (" + response.status + ")");
  }
  return (await response.json()).token;
}

async function connect() {
  setReady(false);
  setStatus(state.reconnects ? "Reconnecting…" : "Connecting…");
  let token;
  try {
    token = await sessionToken();
  } catch (error) {
    setStatus(error.message, "bad");
    return scheduleReconnect();
  }
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  // Browsers cannot set headers on a WebSocket: the short-lived token rides in the subprotocol list.
  const socket = new WebSocket(scheme + "//" + location.host + "/v1/voice", ["talkshop.v1", "bearer." + token]);
  socket.binaryType = "arraybuffer";
  state.socket = socket;
  socket.onopen = () => {
    const start = { type: "start", codec: state.codec, replies: "audio", reply_codec: "pcm-s16le", partials: true };
    if (state.codec === "pcm-s16le") start.sample_rate = 16000;
    if (state.conversationId) start.conversation_id = state.conversationId;
    socket.send(JSON.stringify(start));
  };
  socket.onmessage = (message) => {
    if (typeof message.data === "string") handle(JSON.parse(message.data));
    else playReply(message.data);
  };
  socket.onclose = () => {
    if (state.socket !== socket) return;
    setReady(false);
    if (state.closing) return;
    setStatus("Connection lost. Reconnecting…", "bad");
    scheduleReconnect();
  };
}

function scheduleReconnect() {
  state.reconnects += 1;
  const delay = Math.min(10000, 500 * 2 ** Math.min(state.reconnects, 5));
  setTimeout(connect, delay);
}

function send(message) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(message));
}

// --- Events from the server -------------------------------------------------------------

function handle(event) {
  switch (event.type) {
    case "ready":
      if (state.conversationId && state.conversationId === event.conversation_id) log("Reconnected: your conversation continues.");
      state.conversationId = event.conversation_id;
      state.reconnects = 0;
      setStatus("Connected — order by voice or by typing.", "good");
      setReady(true);
      break;
    case "listening":
      document.body.dataset.state = event.state;
      if (event.state !== "confirmation") $("confirm").hidden = true;
      break;
    case "speech_started":
      $("transcript").textContent = "…";
      break;
    case "partial":
      $("transcript").textContent = event.text + " …";
      break;
    case "transcript":
      $("transcript").textContent = event.text;
      break;
    case "intent": {
      const slots = Object.entries(event.slots || {}).map(([name, value]) => name + ": " + value).join(", ");
      $("intent").textContent = event.name + (slots ? " (" + slots + ")" : "");
      $("intent").dataset.intent = event.name;
      noteLatency();
      break;
    }
    case "rejected":
      $("intent").textContent = event.reason === "no_speech" ? "Nothing heard" : "Not understood — please try again";
      $("intent").dataset.intent = "";
      noteLatency();
      break;
    case "prompt":
      log(event.text);
      if (event.expect === "confirmation") {
        $("readback").textContent = event.text;
        $("confirm").hidden = false;
        $("yes").focus();
      }
      break;
    case "cart":
      showCart(event);
      break;
    case "order":
      showOrder(event);
      break;
    case "notice":
      log(event.text);
      break;
    case "handover":
      log("A person will take over this conversation.");
      break;
    case "reply_audio":
      state.replyFramesLeft = event.frames;
      state.replyCodec = event.codec;
      break;
    case "error":
      log(errorMessages[event.code] || event.message, "error");
      if (event.code === "unknown_conversation") {
        state.conversationId = null;
        state.socket.close();
      }
      break;
    case "bye":
      if (event.reason !== "client_stop") setStatus("The server ended the conversation (" + event.reason.replace(/_/g, " ") + ").", "bad");
      break;
  }
}

function noteLatency() {
  if (state.talking) state.heardWhileTalking = true;
  if (state.releasedAt === null) return;
  const milliseconds = Math.round(performance.now() - state.releasedAt);
  state.releasedAt = null;
  $("latency").textContent = "Understood " + milliseconds + " ms after you let go.";
  $("latency").dataset.milliseconds = String(milliseconds);
}

function showCart(cart) {
  const body = $("cart").tBodies[0];
  body.replaceChildren();
  for (const line of cart.lines) {
    const row = body.insertRow();
    row.insertCell().textContent = line.name + (line.options.length ? " (" + line.options.join(", ") + ")" : "");
    row.insertCell().textContent = line.quantity;
    const price = row.insertCell();
    price.textContent = line.total;
    price.className = "price";
  }
  if (!cart.lines.length) body.innerHTML = '<tr class="empty"><td colspan="3">Empty</td></tr>';
  $("cart-total").textContent = cart.lines.length ? cart.total : "—";
}

function showOrder(order) {
  const list = $("orders");
  list.querySelector(".empty")?.remove();
  let item = list.querySelector('[data-order="' + CSS.escape(order.id) + '"]');
  if (!item) {
    item = document.createElement("li");
    item.dataset.order = order.id;
    list.prepend(item);
  }
  item.dataset.status = order.status;
  item.textContent = "Order " + order.id.slice(0, 8) + ": " + order.status.replace(/_/g, " ") + " — " + order.total;
}

// --- Spoken replies: 20 ms frames of 16 kHz L16 after each reply_audio event ----------------

function playReply(buffer) {
  if (state.replyFramesLeft <= 0) return;
  state.replyFramesLeft -= 1;
  if (!$("speak").checked || !state.context) return;
  const samples = new Int16Array(buffer);
  const audio = state.context.createBuffer(1, samples.length, 16000);
  const channel = audio.getChannelData(0);
  for (let i = 0; i < samples.length; i++) channel[i] = samples[i] / 32768;
  const source = state.context.createBufferSource();
  source.buffer = audio;
  source.connect(state.context.destination);
  state.playAt = Math.max(state.playAt, state.context.currentTime + 0.05);
  source.start(state.playAt);
  state.playAt += audio.duration;
}

// --- Microphone: an AudioWorklet hands 20 ms blocks; WebCodecs encodes them to Opus --------

async function chooseCodec() {
  if (typeof AudioEncoder === "undefined") return "pcm-s16le";
  try {
    const support = await AudioEncoder.isConfigSupported({ codec: "opus", sampleRate: 48000, numberOfChannels: 1, bitrate: 24000 });
    return support.supported ? "opus" : "pcm-s16le";
  } catch {
    return "pcm-s16le";
  }
}

async function openMicrophone() {
  if (state.capture) return true;
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
    state.microphoneOpenedAt = performance.now();
    state.context = state.context || new AudioContext({ sampleRate: 48000 });
    await state.context.audioWorklet.addModule("/try/capture-worklet.js");
    const source = state.context.createMediaStreamSource(stream);
    state.capture = new AudioWorkletNode(state.context, "talkshop-capture");
    state.capture.port.onmessage = (message) => sendAudio(message.data);
    source.connect(state.capture);
    return true;
  } catch (error) {
    state.micDenied = true;
    $("talk").disabled = true;
    const notice = $("microphone");
    notice.hidden = false;
    notice.textContent = error && error.name === "NotAllowedError"
      ? "Microphone access was denied. Allow it in your browser's site settings to talk, or type below."
      : "No microphone could be opened (" + (error && error.message || error) + "). You can type below.";
    $("message").focus();
    return false;
  }
}

function newEncoder() {
  state.encodedTimestamp = 0;
  const encoder = new AudioEncoder({
    output: (chunk) => {
      const packet = new Uint8Array(chunk.byteLength);
      chunk.copyTo(packet);
      if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(packet);
    },
    error: (error) => log("Audio encoding failed: " + error.message, "error"),
  });
  encoder.configure({ codec: "opus", sampleRate: state.context.sampleRate, numberOfChannels: 1, bitrate: 24000, opus: { frameDuration: 20000 } });
  return encoder;
}

function sendAudio(block) {
  if (!state.talking) return;
  if (state.codec === "opus") {
    const data = new AudioData({
      format: "f32", sampleRate: state.context.sampleRate, numberOfFrames: block.length, numberOfChannels: 1,
      timestamp: state.encodedTimestamp, data: block,
    });
    state.encodedTimestamp += Math.round(block.length * 1e6 / state.context.sampleRate);
    state.encoder.encode(data);
    data.close();
  } else if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(downsampleTo16k(block, state.context.sampleRate));
  }
}

/// 20 ms of Float32 at the context's rate → 16 kHz little-endian Int16 (averaging each step).
function downsampleTo16k(block, rate) {
  const count = Math.floor(block.length * 16000 / rate);
  const output = new Int16Array(count);
  const step = rate / 16000;
  for (let i = 0; i < count; i++) {
    let sum = 0, n = 0;
    for (let j = Math.floor(i * step); j < Math.floor((i + 1) * step); j++) { sum += block[j]; n++; }
    output[i] = Math.max(-32768, Math.min(32767, Math.round((sum / Math.max(1, n)) * 32767)));
  }
  return output.buffer;
}

async function startTalking() {
  if (state.talking || $("talk").disabled) return;
  if (!(await openMicrophone())) return;
  await state.context.resume();
  state.talking = true;
  state.heardWhileTalking = false;
  if (state.codec === "opus") state.encoder = newEncoder();
  state.capture.port.postMessage("start");
  $("talk").setAttribute("aria-pressed", "true");
  $("talk-label").textContent = "Listening… release when done";
  $("transcript").textContent = "";
  $("intent").textContent = "";
  $("latency").textContent = "";
}

async function stopTalking() {
  if (!state.talking) return;
  state.talking = false;
  state.capture.port.postMessage("stop");
  $("talk").setAttribute("aria-pressed", "false");
  $("talk-label").textContent = "Hold to talk";
  if (state.encoder) {
    await state.encoder.flush();
    state.encoder.close();
    state.encoder = null;
  }
  // Measured from letting go to the intent shown, unless the pause after the words already ended the utterance.
  state.releasedAt = state.heardWhileTalking ? null : performance.now();
  send({ type: "end_of_speech" });
}

// --- Wiring --------------------------------------------------------------------------------

function wire() {
  const talk = $("talk");
  talk.addEventListener("pointerdown", (event) => { event.preventDefault(); talk.setPointerCapture(event.pointerId); startTalking(); });
  talk.addEventListener("pointerup", stopTalking);
  talk.addEventListener("pointercancel", stopTalking);
  talk.addEventListener("keydown", (event) => {
    if ((event.key === " " || event.key === "Enter") && !event.repeat) { event.preventDefault(); startTalking(); }
  });
  talk.addEventListener("keyup", (event) => {
    if (event.key === " " || event.key === "Enter") { event.preventDefault(); stopTalking(); }
  });
  $("chat").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("message").value.trim();
    if (!text) return;
    log(text, "you");
    $("latency").textContent = "";
    send({ type: "text", text });
    $("message").value = "";
  });
  $("yes").addEventListener("click", () => { log("Yes", "you"); send({ type: "text", text: "yes" }); });
  $("no").addEventListener("click", () => { log("No", "you"); send({ type: "text", text: "no" }); });
  window.addEventListener("pagehide", () => { state.closing = true; send({ type: "stop" }); });
}

(async function main() {
  wire();
  state.codec = await chooseCodec();
  document.body.dataset.codec = state.codec;
  await connect();
})();
