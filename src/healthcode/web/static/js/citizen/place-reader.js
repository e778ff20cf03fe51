// What the two pages that read a place code share (check-in.js for a resident, visit.js for a
// visitor of another city): the phone's position, which the API needs, and the camera behind
// the page's #camera button (templates/citizen/camera.html), read by the shared ../camera.js.
import { showProblem } from "../api.js";
import { Camera } from "../camera.js";
import { t } from "../page.js";

const $ = (id) => document.getElementById(id);

function position() {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) return reject(new Error("no geolocation"));
    navigator.geolocation.getCurrentPosition(
      (found) => resolve({ lat: found.coords.latitude, lon: found.coords.longitude }),
      reject,
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
    return null;
  });
}

// The phone's position, or null once #problem says the page needs it
export async function positionOrSay() {
  try {
    return await position();
  } catch {
    showProblem($("problem"), { detail: t.checkin_no_position });
    return null;
  }
}

// The camera started and stopped by the #camera button (its label and aria-pressed follow);
// each code read goes to onCode; a camera that cannot start is told in #camera-note
export class PlaceCamera {
  constructor(onCode) {
    this.camera = new Camera($("video"), $("frame"), onCode);
    $("camera").addEventListener("click", () => this.toggle());
  }

  async toggle() {
    const button = $("camera");
    if (this.camera.running) {
      this.camera.stop();
      button.textContent = t.checkin_camera_start;
      button.setAttribute("aria-pressed", "false");
      return;
    }
    this.camera.again(); // a code read before (checked in, or refused) is read again when shown again
    try {
      await this.camera.start();
      $("camera-note").hidden = true;
      button.textContent = t.checkin_camera_stop;
      button.setAttribute("aria-pressed", "true");
    } catch {
      this.camera.stop();
      $("camera-note").hidden = false;
    }
  }

  stop() {
    if (this.camera.running) this.toggle();
  }
}
