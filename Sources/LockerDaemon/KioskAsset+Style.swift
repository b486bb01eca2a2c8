extension KioskAsset {
    /// High contrast (white and yellow on black, WCAG AAA), touch targets of at least 72 px (more
    /// than the 44 px guidelines ask: gloves, hurry), Noto Sans CJK from Debian's fonts-noto-cjk
    /// for both languages, and nothing to select, drag or zoom: the kiosk cannot be left.
    static let styleCSS = """
        :root { --ink: #ffffff; --paper: #000000; --accent: #ffd400; --key: #1c1c1c; --edge: #ffffff; }
        * { box-sizing: border-box; -webkit-user-select: none; user-select: none; -webkit-tap-highlight-color: transparent; }
        html, body { margin: 0; height: 100%; background: var(--paper); color: var(--ink); overflow: hidden; touch-action: manipulation; }
        body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Noto Sans", sans-serif; font-size: 24px; }
        html:lang(en) body { font-family: "Noto Sans", "Noto Sans CJK SC", sans-serif; }
        main { display: flex; height: 100%; padding: 16px; gap: 16px; }
        #screen { flex: 1 1 50%; display: flex; flex-direction: column; gap: 12px; min-width: 0; }
        #buttons { flex: 1 1 50%; display: flex; }
        #message { font-size: 30px; line-height: 1.3; margin: 0; flex: 1 1 auto; overflow: hidden; overflow-wrap: anywhere; }
        #typed { font-size: 40px; letter-spacing: 0.1em; min-height: 56px; margin: 0; border-bottom: 3px solid var(--edge); overflow-wrap: anywhere; }
        #code { border: 4px solid var(--accent); border-radius: 12px; padding: 8px 16px; text-align: center; }
        #code-caption { display: block; font-size: 22px; }
        #code-value { display: block; font-size: 64px; color: var(--accent); letter-spacing: 0.08em; font-variant-numeric: tabular-nums; white-space: nowrap; }
        #door { border: 4px solid var(--ink); border-radius: 12px; padding: 8px 16px; display: flex; align-items: baseline; gap: 16px; }
        #door[hidden] { display: none; }
        #door-label { font-size: 56px; }
        #door-state { font-size: 30px; font-weight: 700; margin-left: auto; }
        #door[data-state="opening"] { border-style: dashed; border-color: var(--accent); }
        #door[data-state="open"] { border-color: var(--accent); background: var(--accent); color: var(--paper); }
        #scan { display: flex; align-items: center; gap: 12px; font-size: 22px; }
        .qr { width: 56px; height: 56px; flex: none; border: 6px solid var(--ink); border-radius: 6px;
              background: linear-gradient(90deg, var(--ink) 30%, transparent 30% 70%, var(--ink) 70%) center / 24px 24px no-repeat; }
        .grid { display: grid; grid-template-columns: repeat(3, 1fr); grid-auto-rows: minmax(72px, 1fr); gap: 10px; width: 100%; }
        .sizes, .choices { grid-template-columns: repeat(2, 1fr); }
        .key { font: inherit; font-size: 30px; font-weight: 700; color: var(--ink); background: var(--key); border: 3px solid var(--edge);
               border-radius: 12px; min-height: 72px; min-width: 72px; padding: 4px 8px; line-height: 1.15; }
        .key:active, .key.pressed { background: var(--accent); color: var(--paper); }
        .key.go { background: var(--accent); color: var(--paper); border-color: var(--accent); }
        .key.suggested { outline: 6px solid var(--accent); outline-offset: -10px; }
        .key.wide, .key.wide2 { grid-column: span 2; }
        #language { align-self: flex-end; font-size: 24px; min-width: 160px; }
        [data-show] { display: none !important; }
        body[data-step="welcome"] [data-show~="welcome"], body[data-step="pickup_code"] [data-show~="pickup_code"],
        body[data-step="courier_id"] [data-show~="courier_id"], body[data-step="courier_pin"] [data-show~="courier_pin"],
        body[data-step="courier_ready"] [data-show~="courier_ready"], body[data-step="courier_options"] [data-show~="courier_options"],
        body[data-step="choosing_size"] [data-show~="choosing_size"], body[data-step="deposit_door"] [data-show~="deposit_door"] { display: grid !important; }
        body[data-step="welcome"] #language { display: block !important; }
        body[data-step="welcome"] #scan, body[data-step="pickup_code"] #scan { display: flex !important; }
        #offline { display: none; position: fixed; inset: 0; background: rgba(0, 0, 0, 0.92); align-items: center; justify-content: center; font-size: 36px; }
        body[data-step="connecting"] #offline { display: flex; }
        """
}
