package syslens.server.api;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON bodies in Prometheus' API envelope: {@code {"status":"success","data":...}} and
 * {@code {"status":"error","errorType":...,"error":...}}. Every API error goes through here.
 */
public final class ApiErrors {
  private ApiErrors() {}

  public static HttpResponse success(Object data) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "success");
    body.put("data", data);
    return HttpResponse.ofJson(body);
  }

  public static HttpResponse error(HttpStatus status, String errorType, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "error");
    body.put("errorType", errorType);
    body.put("error", message);
    return HttpResponse.ofJson(status, body);
  }

  public static HttpResponse badData(String message) {
    return error(HttpStatus.BAD_REQUEST, "bad_data", message);
  }

  public static HttpResponse unauthorized(String message) {
    return error(HttpStatus.UNAUTHORIZED, "unauthorized", message);
  }
}
