# Config loading, --print-config and the metrics port (owned by "ops"); included from
# proxy/CMakeLists.txt.
add_library(sp_proxy_ops STATIC
  ${CMAKE_CURRENT_LIST_DIR}/config_loader.cc
  ${CMAKE_CURRENT_LIST_DIR}/config_printer.cc
  ${CMAKE_CURRENT_LIST_DIR}/health.cc
  ${CMAKE_CURRENT_LIST_DIR}/metrics_server.cc)
target_include_directories(sp_proxy_ops PUBLIC ${PROJECT_SOURCE_DIR})
# civetweb (found by prometheus-cpp's package config): the metrics port answers /healthz and
# /readyz itself through the Exposer's civetweb callbacks.
target_link_libraries(sp_proxy_ops PUBLIC sp_base sp_protocol sp_metrics sp_mysql sp_tls yaml-cpp
                      prometheus-cpp::pull civetweb::civetweb civetweb::civetweb-cpp)
sp_strict(sp_proxy_ops)
