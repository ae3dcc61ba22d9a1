build-dev/common/audit_read.o: common/audit_read.c common/first.h \
 common/audit.h common/admin.h common/catalog.h common/tool.h \
 common/crypto.h common/scope.h common/apikey.h common/store.h \
 common/config.h common/record.h common/pct.h common/cursor.h \
 common/buf.h common/json.h
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
common/pct.h:
common/cursor.h:
common/buf.h:
common/json.h:
