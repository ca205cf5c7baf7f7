"""The reports' and the index's style sheet (inline in each page: nothing is fetched)."""

CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #ddd;padding-bottom:.3em}h2{margin-top:1.8em;border-bottom:1px solid #eee}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.3em .6em;
text-align:left}th{background:#f3f3f3}td.ok{color:#176a1f;font-weight:600}td.bad{color:#b00020;
font-weight:700}td.none{color:#7a5200;font-weight:700}.verdict{font-size:1.15em;font-weight:700;
padding:.5em .8em;display:inline-block;border-radius:4px}.pass{background:#e3f5e1;color:#176a1f}
.fail{background:#fde7e9;color:#b00020}.none{background:#fff4d6;color:#7a5200}
figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.9em;color:#555}
code{background:#f4f4f4;padding:0 .2em}.env td:first-child{font-weight:600}
math{font-size:1.1em}.tex-error{color:#b00020;font-family:monospace}p.run{font-weight:600}
"""
