# Config loading, --print-config and the metrics endpoint (owned by "ops"); included from
# proxy/CMakeLists.txt.
add_library(sp_proxy_ops STATIC
  ${CMAKE_CURRENT_LIST_DIR}/config_loader.cc
  ${CMAKE_CURRENT_LIST_DIR}/config_printer.cc
  ${CMAKE_CURRENT_LIST_DIR}/metrics_server.cc)
target_include_directories(sp_proxy_ops PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(sp_proxy_ops PUBLIC sp_base sp_protocol sp_metrics sp_tls yaml-cpp
                      prometheus-cpp::pull)
sp_strict(sp_proxy_ops)
