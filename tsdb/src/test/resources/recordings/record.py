import gzip, time, urllib.request, sys
port = sys.argv[1]; n = int(sys.argv[2]); out = sys.argv[3]
types = {}
with gzip.open(out, 'wt', compresslevel=9) as f:
    f.write("# syslens node_exporter recording: blocks of 'T <unix ms>' then '<series> <value>' lines; '# TYPE' lines as scraped\n")
    start = time.time()
    for i in range(n):
        target = start + i * 1.0
        d = target - time.time()
        if d > 0: time.sleep(d)
        t = int(time.time() * 1000)
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        f.write(f"T {t}\n")
        for line in body.splitlines():
            if line.startswith("# TYPE"):
                name = line.split()[2]
                if name not in types:
                    types[name] = line; f.write(line + "\n")
            elif line and not line.startswith("#"):
                f.write(line + "\n")
