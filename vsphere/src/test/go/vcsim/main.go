// vcsim: govmomi's vCenter simulator as a loopback test peer for SysLens's vsphere module.
// Built by the tests (VcSim.java) with Debian's Go and golang-github-vmware-govmomi-dev:
//   GOPATH=/usr/share/gocode GO111MODULE=off go build -o target/vcsim/vcsim .
// Prints one JSON line {"url":..., "sha256":...} once it serves, then runs until stdin closes or SIGTERM.
package main

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	dc := flag.Int("dc", 1, "datacenters")
	cluster := flag.Int("cluster", 1, "clusters per datacenter")
	host := flag.Int("host", 3, "ESXi hosts per cluster")
	vm := flag.Int("vm", 2, "VMs per cluster (its root resource pool)")
	delay := flag.Int("delay", 0, "delay in ms before every SOAP call")
	methodDelay := flag.String("method-delay", "", "JSON object of per-method delays in ms, e.g. {\"QueryPerf\":200}")
	idle := flag.Duration("idle", 0, "session idle timeout (0: sessions never expire)")
	port := flag.Int("port", 0, "loopback port (0: any free port)")
	user := flag.String("user", "syslens", "the only user name accepted by Login")
	pass := flag.String("pass", "vcsim-pass", "its password")
	stable := flag.Bool("stable-perf", false, "QueryPerf samples on 20 s boundaries with values that depend only on entity, counter, instance and time")
	flag.Parse()

	model := simulator.VPX()
	model.Datacenter, model.Cluster, model.ClusterHost, model.Machine = *dc, *cluster, *host, *vm
	model.Host = 0
	model.DelayConfig.Delay = *delay
	if *methodDelay != "" {
		if err := json.Unmarshal([]byte(*methodDelay), &model.DelayConfig.MethodDelay); err != nil {
			fmt.Fprintln(os.Stderr, "method-delay:", err)
			os.Exit(2)
		}
	}
	simulator.SessionIdleTimeout = *idle
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "create:", err)
		os.Exit(1)
	}
	defer model.Remove()
	installPerfManager(*stable)
	model.Service.Listen = &url.URL{Host: fmt.Sprintf("127.0.0.1:%d", *port), User: url.UserPassword(*user, *pass)}
	model.Service.TLS = new(tls.Config)
	server := model.Service.NewServer()
	defer server.Close()

	sum := sha256.Sum256(server.Certificate().Raw)
	printed := *server.URL // not server.URL itself: the simulator checks logins against its User
	printed.User = nil
	out, _ := json.Marshal(map[string]string{"url": printed.String(), "sha256": fmt.Sprintf("%x", sum)})
	fmt.Println(string(out))

	done := make(chan os.Signal, 1)
	signal.Notify(done, syscall.SIGTERM, syscall.SIGINT)
	go func() { io.Copy(io.Discard, os.Stdin); done <- syscall.SIGTERM }()
	<-done
}
