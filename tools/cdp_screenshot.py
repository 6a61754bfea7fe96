#!/usr/bin/env python
"""Screenshot a URL in headless Chromium after a real-time wait, via the DevTools protocol (websocket-client).

`chromium --screenshot` stops on virtual time, before web workers (the site search) finish; this waits for real.
    python tools/cdp_screenshot.py URL OUT.png [--wait 6] [--size 1400x900]
"""

import argparse, base64, json, socket, subprocess, sys, tempfile, time, urllib.request, shutil
import websocket


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('url')
    ap.add_argument('out')
    ap.add_argument('--wait', type=float, default=6.0, help='seconds to wait after loading')
    ap.add_argument('--size', default='1400x900')
    a = ap.parse_args()
    browser = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    if not browser:
        sys.exit('no chromium found (apt-get install -y chromium)')
    w, h = a.size.split('x')
    port = free_port()
    with tempfile.TemporaryDirectory() as prof:
        p = subprocess.Popen(
            [
                browser,
                '--headless',
                '--no-sandbox',
                '--disable-gpu',
                '--hide-scrollbars',
                f'--window-size={w},{h}',
                f'--remote-debugging-port={port}',
                f'--user-data-dir={prof}',
                a.url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    tabs = json.load(urllib.request.urlopen(f'http://127.0.0.1:{port}/json'))
                    break
                except OSError:
                    time.sleep(0.1)
            page = next(t for t in tabs if t.get('type') == 'page')
            time.sleep(a.wait)
            ws = websocket.create_connection(page['webSocketDebuggerUrl'], timeout=30, suppress_origin=True)
            ws.send(json.dumps({'id': 1, 'method': 'Page.captureScreenshot', 'params': {'format': 'png'}}))
            while True:
                r = json.loads(ws.recv())
                if r.get('id') == 1:
                    break
            open(a.out, 'wb').write(base64.b64decode(r['result']['data']))
            ws.close()
            print(a.out)
        finally:
            p.terminate()
            p.wait(10)


if __name__ == '__main__':
    main()
