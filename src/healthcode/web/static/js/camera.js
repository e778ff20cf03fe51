// Reading QR codes from the camera, for the checkpoint scanner and the citizen's check-in: the
// browser's BarcodeDetector where it exists, else the vendored jsQR (static/vendor/jsqr, a
// classic script that sets window.jsQR) on canvas frames.

const FRAME_MS = 150;

export class Camera {
  constructor(video, canvas, onCode) {
    this.video = video;
    this.canvas = canvas;
    this.onCode = onCode;
    this.stream = null;
    this.timer = null;
    this.last = "";
    this.detector = null;
  }

  get running() {
    return this.stream !== null;
  }

  async start() {
    this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    this.video.srcObject = this.stream;
    this.video.hidden = false;
    await this.video.play();
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) this.detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      } catch {
        this.detector = null;
      }
    }
    this.tick();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    for (const track of this.stream?.getTracks() || []) track.stop();
    this.stream = null;
    this.video.srcObject = null;
    this.video.hidden = true;
  }

  /** Forget the last code read, so the same code shown again is read again. */
  again() {
    this.last = "";
  }

  async tick() {
    if (!this.stream) return;
    let text = null;
    try {
      text = await this.read();
    } catch {
      text = null;
    }
    if (text && text !== this.last) {
      this.last = text;
      this.onCode(text);
    }
    if (this.stream) this.timer = setTimeout(() => this.tick(), FRAME_MS);
  }

  async read() {
    const { videoWidth: width, videoHeight: height } = this.video;
    if (!width || !height) return null;
    if (this.detector) {
      const found = await this.detector.detect(this.video);
      return found.length ? found[0].rawValue : null;
    }
    if (!window.jsQR) return null;
    this.canvas.width = width;
    this.canvas.height = height;
    const context = this.canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(this.video, 0, 0, width, height);
    const image = context.getImageData(0, 0, width, height);
    const code = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
    return code ? code.data : null;
  }
}
