extension KioskAsset {
    /// The page's frame: the message, what was typed, the buttons of each step. The script fills
    /// in every text from the feed (messages) and its captions (buttons), in the panel's language.
    static let pageHTML = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1, user-scalable=no">
        <title>lockerd</title>
        <link rel="stylesheet" href="/kiosk.css">
        <script src="/kiosk.js" defer></script>
        </head>
        <body data-step="connecting">
        <main>
          <section id="screen">
            <button id="language" class="key wide" data-key="enter" data-show="welcome"></button>
            <p id="message" aria-live="assertive"></p>
            <div id="code" hidden><span id="code-caption"></span><strong id="code-value"></strong></div>
            <div id="door" hidden><span id="door-caption"></span><strong id="door-label"></strong><span id="door-state"></span></div>
            <p id="typed" aria-live="polite"></p>
            <div id="scan" data-show="welcome pickup_code"><span class="qr" aria-hidden="true"></span><span id="scan-caption"></span></div>
          </section>
          <section id="buttons">
            <div class="grid keypad" data-show="welcome pickup_code courier_id courier_pin courier_ready">
              <button class="key" data-key="1">1</button><button class="key" data-key="2">2</button><button class="key" data-key="3">3</button>
              <button class="key" data-key="4">4</button><button class="key" data-key="5">5</button><button class="key" data-key="6">6</button>
              <button class="key" data-key="7">7</button><button class="key" data-key="8">8</button><button class="key" data-key="9">9</button>
              <button class="key" data-key="back" data-caption="back"></button><button class="key" data-key="0">0</button><button class="key go" data-key="enter" data-caption="enter"></button>
              <button class="key" data-key="clear" data-caption="clear"></button><button class="key wide2" data-key="menu" data-caption="menu"></button>
            </div>
            <div class="grid sizes" data-show="choosing_size">
              <button class="key" data-key="1" data-size="XS">1 XS</button><button class="key" data-key="2" data-size="S">2 S</button>
              <button class="key" data-key="3" data-size="M">3 M</button><button class="key" data-key="4" data-size="L">4 L</button>
              <button class="key" data-key="5" data-size="XL">5 XL</button><button class="key go" data-key="enter" id="suggested"></button>
              <button class="key class" data-key="0" data-class="ambient"></button><button class="key class" data-key="6" data-class="chilled"></button>
              <button class="key class" data-key="7" data-class="frozen"></button><button class="key class" data-key="8" data-class="heated"></button>
              <button class="key wide2" data-key="clear" data-caption="cancel"></button>
            </div>
            <div class="grid choices" data-show="deposit_door">
              <button class="key wide2" data-key="1" data-caption="larger"></button>
              <button class="key wide2" data-key="2" data-caption="notOpened"></button>
              <button class="key wide2" data-key="clear" data-caption="cancel"></button>
            </div>
            <div class="grid choices" data-show="courier_options">
              <button class="key wide2" data-key="1" data-caption="retrieveNext"></button>
              <button class="key wide2" data-key="3" data-caption="retrieveAll"></button>
              <button class="key wide2" data-key="2" data-caption="logOut"></button>
              <button class="key wide2" data-key="clear" data-caption="goBack"></button>
            </div>
          </section>
        </main>
        <div id="offline"><p id="offline-caption">…</p></div>
        </body>
        </html>
        """
}
