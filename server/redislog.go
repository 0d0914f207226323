package server

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// redisLogger routes go-redis's own log lines (one per failed dial or
// broken connection) to the server's logger at debug level. During a Redis
// outage the operator's signal is ratelimit.Fallback's error line
// and the amigo_ratelimit_backend_errors_total metric, not a line per
// request on stderr.
type redisLogger struct{ logger *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.logger.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// quietRedisLogs installs redisLogger. go-redis's logger is global to the
// process; the last runtime opened wins, which only matters in tests.
func quietRedisLogs(logger *slog.Logger) {
	redis.SetLogger(redisLogger{logger})
}
