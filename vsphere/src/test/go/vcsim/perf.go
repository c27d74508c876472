package main

import (
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// perfManager answers QueryPerf's instance "*" the way vCenter does, where vcsim 0.24 echoes
// "*" back as one series: every instance the entity has for that counter (those
// QueryAvailablePerfMetric lists, the aggregate "" included). vcsim lists a VM's virtualDisk
// counters only as "", so for those the VM's own virtual disks ("scsi0:0") are the instances,
// as vCenter names them.
type perfManager struct {
	simulator.PerformanceManager
	virtualDisk map[int32]bool
	stable      bool
	// available's answers per entity and interval: vcsim's instances do not change while it runs,
	// and building them per QueryPerf spec (the registry's lock, the VM's devices) would cost the
	// simulator more than the query itself
	cache sync.Map
}

func installPerfManager(stable bool) {
	pm, ok := simulator.Map.Get(types.ManagedObjectReference{Type: "PerformanceManager", Value: "PerfMgr"}).(*simulator.PerformanceManager)
	if !ok {
		return
	}
	p := &perfManager{PerformanceManager: *pm, virtualDisk: map[int32]bool{}, stable: stable}
	for _, c := range pm.PerfCounter {
		if c.GroupInfo.GetElementDescription().Key == "virtualDisk" {
			p.virtualDisk[c.Key] = true
		}
	}
	simulator.Map.Put(p)
}

func (p *perfManager) QueryPerf(ctx *simulator.Context, req *types.QueryPerf) soap.HasFault {
	now := time.Now()
	for i := range req.QuerySpec {
		qs := &req.QuerySpec[i]
		var ids, avail []types.PerfMetricId
		for _, id := range qs.MetricId {
			if id.Instance != "*" {
				ids = append(ids, id)
				continue
			}
			if avail == nil {
				avail = p.available(ctx, qs.Entity, qs.IntervalId)
			}
			for _, a := range avail {
				if a.CounterId == id.CounterId {
					ids = append(ids, a)
				}
			}
		}
		qs.MetricId = ids
		if p.stable && qs.EndTime == nil && qs.IntervalId > 0 {
			end := now.Truncate(time.Duration(qs.IntervalId) * time.Second)
			qs.EndTime = &end
		}
	}
	res := p.PerformanceManager.QueryPerf(ctx, req)
	if p.stable {
		if body, ok := res.(*methods.QueryPerfBody); ok && body.Res != nil {
			for _, r := range body.Res.Returnval {
				if m, ok := r.(*types.PerfEntityMetric); ok {
					stableValues(m)
				}
			}
		}
	}
	return res
}

// stableValues replaces vcsim's random noise by 1..1000 from a hash of entity, counter,
// instance and sample time, so two queries for the same sample see the same value.
func stableValues(m *types.PerfEntityMetric) {
	for _, v := range m.Value {
		s, ok := v.(*types.PerfMetricIntSeries)
		if !ok {
			continue
		}
		for i := range s.Value {
			if i >= len(m.SampleInfo) {
				break
			}
			h := fnv.New64a()
			fmt.Fprintf(h, "%s|%d|%s|%d", m.Entity.Value, s.Id.CounterId, s.Id.Instance, m.SampleInfo[i].Timestamp.Unix())
			s.Value[i] = int64(h.Sum64()%1000) + 1
		}
	}
}

// QueryAvailablePerfMetric lists a VM's virtual disks as instances too, as QueryPerf answers them.
func (p *perfManager) QueryAvailablePerfMetric(ctx *simulator.Context, req *types.QueryAvailablePerfMetric) soap.HasFault {
	body := &methods.QueryAvailablePerfMetricBody{Req: req, Res: &types.QueryAvailablePerfMetricResponse{}}
	body.Res.Returnval = p.available(ctx, req.Entity, req.IntervalId)
	return body
}

func (p *perfManager) available(ctx *simulator.Context, entity types.ManagedObjectReference, interval int32) []types.PerfMetricId {
	key := fmt.Sprintf("%s:%s:%d", entity.Type, entity.Value, interval)
	if ids, ok := p.cache.Load(key); ok {
		return ids.([]types.PerfMetricId)
	}
	ids := p.list(ctx, entity, interval)
	p.cache.Store(key, ids)
	return ids
}

func (p *perfManager) list(ctx *simulator.Context, entity types.ManagedObjectReference, interval int32) []types.PerfMetricId {
	body, ok := p.PerformanceManager.QueryAvailablePerfMetric(ctx, &types.QueryAvailablePerfMetric{
		This: p.Self, Entity: entity, IntervalId: interval}).(*methods.QueryAvailablePerfMetricBody)
	if !ok || body.Res == nil {
		return []types.PerfMetricId{}
	}
	out := body.Res.Returnval
	if entity.Type != "VirtualMachine" {
		return out
	}
	disks := vmDisks(entity)
	var fixed []types.PerfMetricId
	for _, id := range out {
		if !p.virtualDisk[id.CounterId] {
			fixed = append(fixed, id)
			continue
		}
		for _, d := range disks {
			fixed = append(fixed, types.PerfMetricId{CounterId: id.CounterId, Instance: d})
		}
	}
	return fixed
}

// vmDisks names a VM's virtual disks as vCenter's virtualDisk instances: controller type, bus
// number and unit number ("scsi0:0", "ide0:1", "sata0:0", "nvme0:0").
func vmDisks(ref types.ManagedObjectReference) []string {
	vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok {
		return nil
	}
	var names []string
	simulator.Map.WithLock(vm, func() {
		if vm.Config == nil {
			return
		}
		devices := object.VirtualDeviceList(vm.Config.Hardware.Device)
		for _, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
			disk := d.(*types.VirtualDisk)
			ctrl, ok := devices.FindByKey(disk.ControllerKey).(types.BaseVirtualController)
			if !ok || disk.UnitNumber == nil {
				continue
			}
			kind := "scsi"
			switch ctrl.(type) {
			case *types.VirtualIDEController:
				kind = "ide"
			case types.BaseVirtualSATAController:
				kind = "sata"
			case *types.VirtualNVMEController:
				kind = "nvme"
			}
			names = append(names, fmt.Sprintf("%s%d:%d", kind, ctrl.GetVirtualController().BusNumber, *disk.UnitNumber))
		}
	})
	return names
}
