// Hands the microphone's samples to the page in 20 ms blocks while capturing is on.
class CaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.capturing = false;
    this.block = new Float32Array(Math.round(sampleRate / 50));
    this.filled = 0;
    this.port.onmessage = (event) => { this.capturing = event.data === "start"; this.filled = 0; };
  }
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!this.capturing || !channel) return true;
    for (let i = 0; i < channel.length; i++) {
      this.block[this.filled++] = channel[i];
      if (this.filled === this.block.length) {
        this.port.postMessage(this.block.slice());
        this.filled = 0;
      }
    }
    return true;
  }
}
registerProcessor("talkshop-capture", CaptureProcessor);
