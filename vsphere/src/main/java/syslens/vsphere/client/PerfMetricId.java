package syslens.vsphere.client;

/** A counter and instance ("" is the entity's aggregate, "*" asks for every instance). */
public record PerfMetricId(int counterId, String instance) {
  void appendXml(StringBuilder b) {
    b.append("<metricId><counterId>").append(counterId).append("</counterId><instance>")
        .append(Soap.escape(instance)).append("</instance></metricId>");
  }
}
