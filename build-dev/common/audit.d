build-dev/common/audit.o: common/audit.c common/first.h common/audit.h \
 common/admin.h common/catalog.h common/tool.h common/crypto.h \
 common/scope.h common/apikey.h common/store.h common/config.h \
 common/record.h common/metrics.h common/buf.h common/log.h
common/first.h:
common/audit.h:
common/admin.h:
common/catalog.h:
common/tool.h:
common/crypto.h:
common/scope.h:
common/apikey.h:
common/store.h:
common/config.h:
common/record.h:
common/metrics.h:
common/buf.h:
common/log.h:
