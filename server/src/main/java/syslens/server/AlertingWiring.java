package syslens.server;

import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.HttpService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import syslens.alerting.Alert;
import syslens.alerting.AlertSink;
import syslens.alerting.rules.JdbcStateStore;
import syslens.alerting.rules.RuleManager;
import syslens.alerting.rules.RuleRepository;
import syslens.alerting.rules.RuleService;
import syslens.query.Engine;
import syslens.security.Principal;
import syslens.security.Security;
import syslens.server.api.AlertRulesApi;
import syslens.server.auth.AuthDecorator;
import syslens.server.meta.MetaStore;
import syslens.storage.Queryable;
import syslens.storage.Storage;

/**
 * The rules half of alerting in the composition root: rule groups and alert state in the
 * metadata database, evaluation by the query engine on its own pool, routes for the API. Alerts
 * go to the notification pipeline's {@code AlertSink} (routing, silences, receivers).
 */
final class AlertingWiring implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("syslens.alerts");

  final RuleManager manager;
  final RuleService rules;

  AlertingWiring(ServerConfig config, Storage tsdb, MetaStore meta,
      Function<Queryable, Engine> engines, AlertSink sink, java.util.function.Predicate<String> ownsGroup) {
    RuleManager.Builder b = RuleManager.builder(tsdb, engines, sink).clock(config.clock())
        .store(JdbcStateStore.create(meta.dataSource())).appenders(() -> tsdb.appender("rules"));
    if (ownsGroup != null) { // several alerting instances: each evaluates the groups it owns
      b.owns(ownsGroup);
    }
    this.manager = b.build();
    try {
      this.rules = RuleService.create(RuleRepository.create(meta.dataSource(), config.clock()),
          manager);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  void routes(ServerBuilder sb, Security security, AuthDecorator auth, java.time.Clock clock,
      syslens.server.auth.RequestScope scopes) {
    AlertRulesApi api = new AlertRulesApi(rules, manager,
        (ctx, action, target, detail) -> security.audit().append(principal(ctx).username(),
            action, target, ctx.clientAddress().getHostAddress(), detail),
        ctx -> principal(ctx).username(), clock, scopes);
    sb.service("/api/v1/rules", api.prometheusRules().decorate(auth));
    sb.service("/api/v1/alerts", api.prometheusAlerts().decorate(auth));
    sb.service("/api/v1/alerts/history", api.history().decorate(auth));
    sb.service("/api/v1/alerts/baseline", api.baseline().decorate(auth));
    HttpService mgmt = api.management().decorate(auth);
    sb.service("/api/v1/alert-rules", mgmt);
    sb.service("/api/v1/alert-rules/{group}", mgmt);
  }

  private static Principal principal(ServiceRequestContext ctx) {
    Principal p = ctx.attr(AuthDecorator.PRINCIPAL);
    if (p == null) {
      throw new IllegalStateException("no principal on " + ctx.path());
    }
    return p;
  }

  void start() {
    manager.start();
  }

  @Override
  public void close() {
    manager.close();
  }
}
