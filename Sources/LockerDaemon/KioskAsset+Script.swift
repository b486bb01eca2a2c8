extension KioskAsset {
    /// The page's behaviour: takes the token from the address's fragment (never sent in a request
    /// line, gone from the address bar at once) into a same-site cookie; follows the feed and draws
    /// each screen; sends each button's key, one after another in the order they were pressed.
    /// Messages come worded from lockerd's catalogue; only the buttons' captions are here.
    static let scriptJS = #"""
        "use strict";
        // The keypad's key names (ENTER, CLEAR, MENU) stay on the buttons in every language: the
        // catalogue's messages name them ("快递员请按MENU键").
        const captions = {
          "en": { menu: "MENU", clear: "CLEAR", back: "BACK", enter: "ENTER", language: "中文",
                  scan: "Or hold your pickup QR code to the scanner.", code: "Pickup code", cancel: "CLEAR Cancel",
                  larger: "1 Larger door", notOpened: "2 Door did not open", retrieveNext: "1 Retrieve next overdue",
                  retrieveAll: "3 Retrieve all overdue", logOut: "2 Log out", goBack: "CLEAR Back", suggested: "ENTER: size ",
                  ambient: "0 Ambient", chilled: "6 Chilled", frozen: "7 Frozen", heated: "8 Heated",
                  offline: "Connecting to the cabinet…", door: "Door", opening: "Opening…", open: "Open", closed: "Closed" },
          "zh-Hans": { menu: "快递员 MENU", clear: "清除 CLEAR", back: "退格 BACK", enter: "确认 ENTER", language: "English",
                  scan: "也可将取件二维码对准扫描器。", code: "取件码", cancel: "CLEAR 取消",
                  larger: "1 换大格口", notOpened: "2 格口没有打开", retrieveNext: "1 取出下一个逾期格口",
                  retrieveAll: "3 取出全部逾期格口", logOut: "2 退出登录", goBack: "CLEAR 返回", suggested: "ENTER：尺寸 ",
                  ambient: "0 常温", chilled: "6 冷藏", frozen: "7 冷冻", heated: "8 加热",
                  offline: "正在连接柜机…", door: "柜门", opening: "正在打开…", open: "已打开", closed: "已关闭" }
        };

        // Door feedback: the door a message is about, and whether it is opening, open or closed.
        const doorStates = {
          deposit_door_opening: "opening", deposit_door_open: "open", pickup_door_open: "open", retrieval_door_open: "open",
          retrieval_batch_door_open: "open", please_close_door: "open", pickup_done: "closed", retrieval_done: "closed",
          deposit_added_to_shared: "closed", deposit_cancelled: "closed", deposit_closed_empty: "closed"
        };

        const fragment = new URLSearchParams(location.hash.slice(1));
        if (fragment.has("token")) {
          document.cookie = "lockerd_kiosk=" + encodeURIComponent(fragment.get("token")) + "; path=/; SameSite=Strict";
          history.replaceState(null, "", location.pathname);
        }

        function draw(screen) {
          window.kioskScreen = screen;
          const words = captions[screen.language] || captions.en;
          document.documentElement.lang = screen.language;
          document.body.dataset.step = screen.step;
          document.getElementById("message").textContent = screen.message.text;
          document.getElementById("typed").textContent = screen.typed;
          const code = screen.message.pickupCode;
          document.getElementById("code").hidden = !code;
          document.getElementById("code-caption").textContent = words.code;
          document.getElementById("code-value").textContent = code || "";
          const door = document.getElementById("door");
          const doorState = code ? null : doorStates[screen.message.id];
          door.hidden = !doorState || !screen.message.arguments.label;
          door.dataset.state = doorState || "";
          document.getElementById("door-caption").textContent = words.door;
          document.getElementById("door-label").textContent = screen.message.arguments.label || "";
          document.getElementById("door-state").textContent = doorState ? words[doorState] : "";
          document.getElementById("language").textContent = words.language;
          document.getElementById("scan-caption").textContent = words.scan;
          document.getElementById("offline-caption").textContent = words.offline;
          for (const button of document.querySelectorAll("[data-caption]")) button.textContent = words[button.dataset.caption];
          for (const button of document.querySelectorAll("[data-class]")) button.textContent = words[button.dataset.class];
          const suggested = screen.message.arguments.suggested_size || "";
          document.getElementById("suggested").textContent = words.suggested + suggested;
          for (const button of document.querySelectorAll("[data-size]")) button.classList.toggle("suggested", button.dataset.size === suggested);
        }

        let sending = Promise.resolve();
        function press(key) {
          sending = sending.then(() => fetch("/key", {
            method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ key: key })
          })).catch(() => {});
        }

        function follow() {
          const feed = new EventSource("/events");
          feed.onmessage = (event) => draw(JSON.parse(event.data));
          feed.onerror = () => {
            document.body.dataset.step = "connecting";
            // Refused (lockerd restarted with a new token, or is not up yet): try again shortly.
            if (feed.readyState === EventSource.CLOSED) setTimeout(follow, 2000);
          };
        }

        document.addEventListener("contextmenu", (event) => event.preventDefault());
        document.addEventListener("DOMContentLoaded", () => {
          for (const button of document.querySelectorAll("[data-key]")) {
            button.addEventListener("click", () => press(button.dataset.key));
          }
          draw({ step: "connecting", language: "en", typed: "", message: { id: "welcome", arguments: {}, text: "" } });
          follow();
        });
        """#
}
