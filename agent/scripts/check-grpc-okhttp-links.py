#!/usr/bin/env python3
# Link check for grpc-okhttp 1.82.2 (the newest on Maven Central) against the grpc-api, grpc-core,
# grpc-util and grpc-context 1.83.1 the build uses: every method and field grpc-okhttp references in
# io.grpc (outside io.grpc.okhttp) must exist, with the same descriptor, in those jars (directly or
# inherited). Prints "missing: 0" when they link; run after a gRPC version change:
#   python3 agent/scripts/check-grpc-okhttp-links.py
# Reads the jars from ~/.m2 (./mvnw -pl agent -am package fetches them) and uses $JAVA_HOME/bin/javap.
import os, re, subprocess, sys, zipfile
J=os.path.join(os.environ.get('JAVA_HOME', '/usr'), 'bin', 'javap')
m2=os.path.expanduser('~/.m2/repository/io/grpc')
okjar=f'{m2}/grpc-okhttp/1.82.2/grpc-okhttp-1.82.2.jar'
cp=':'.join(f'{m2}/{a}/1.83.1/{a}-1.83.1.jar' for a in ['grpc-api','grpc-core','grpc-util','grpc-context'])
classes=[n[:-6] for n in zipfile.ZipFile(okjar).namelist() if n.endswith('.class')]
refs=set()
for i in range(0,len(classes),40):
    out=subprocess.run([J,'-v','-p','-cp',okjar]+[c.replace('/','.') for c in classes[i:i+40]],capture_output=True,text=True).stdout
    for m in re.finditer(r'= (Methodref|InterfaceMethodref|Fieldref)\s+#\d+\.#\d+\s+// (\S+?)\.("?[^:]+"?):(\S+)',out):
        kind,cls,name,desc=m.groups()
        if cls.startswith('io/grpc/') and not cls.startswith('io/grpc/okhttp/'):
            refs.add((kind,cls,name.strip('"'),desc))
    for m in re.finditer(r'= Class\s+#\d+\s+// (io/grpc/\S+)',out):
        c=m.group(1)
        if not c.startswith('io/grpc/okhttp/'): refs.add(('Class',c,'',''))
print(len(refs),'references from grpc-okhttp 1.82.2 into grpc 1.83.1', file=sys.stderr)
cache={}
def members(cls):
    if cls in cache: return cache[cls]
    r=subprocess.run([J,'-p','-s','-cp',cp,cls.replace('/','.')],capture_output=True,text=True)
    if r.returncode!=0: cache[cls]=None; return None
    mem=set(); supers=[]
    lines=r.stdout.splitlines()
    for ln in lines:
        h=re.match(r'.*(class|interface) \S+( extends ([^{]+?))?( implements ([^{]+))?\s*\{',ln)
        if h and not ln.startswith('  '):
            for g in (h.group(3),h.group(5)):
                if g: supers+= [re.sub(r'<.*','',x.strip()).replace('.','/') for x in re.split(r',(?![^<]*>)',g)]
    name=None
    for ln in lines:
        ln=ln.strip()
        if ln.startswith('descriptor:'):
            mem.add((name,ln.split(':',1)[1].strip()))
        elif ln.endswith(';') and '(' in ln:
            name=re.sub(r'\(.*','',ln).split()[-1].split('.')[-1]
            if name in (cls.split('/')[-1], cls.split('/')[-1].split('$')[-1], cls.replace('/','.')): name='<init>'
        elif ln.endswith(';'):
            name=ln[:-1].split()[-1]
        elif ln.startswith('static {}'): name='<clinit>'
    cache[cls]=(mem,supers); return cache[cls]
def has(cls,name,desc,seen=None):
    m=members(cls)
    if m is None: return cls.startswith('java/')
    if (name,desc) in m[0]: return True
    return any(has(s,name,desc) for s in m[1] if s)
bad=[]
for kind,cls,name,desc in sorted(refs):
    if kind=='Class':
        if members(cls) is None: bad.append((kind,cls))
    elif not has(cls,name,desc): bad.append((kind,cls,name,desc))
print('missing:',len(bad))
for b in bad: print(' ',b)
sys.exit(1 if bad else 0)
