using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Thresher.Core.Telemetry;

namespace Thresher.Hosting.Telemetry;

/// <summary>Where a host sends its traces and metrics.</summary>
public enum TelemetryExporter
{
    /// <summary>Nowhere (the instruments cost nothing without a listener).</summary>
    None,

    /// <summary>OpenTelemetry's ConsoleExporter on standard output: every span, and metrics every 10 s.</summary>
    Console,

    /// <summary>OTLP to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4317, gRPC).</summary>
    Otlp,
}

/// <summary>
/// The OpenTelemetry pipeline the silo and the CLI share: Thresher's source and meter plus Orleans' own
/// (Microsoft.Orleans.*, so a run's spans nest across grain calls), to the chosen exporter.
/// OTEL_SERVICE_NAME overrides the service name; OTEL_EXPORTER_OTLP_* configure OTLP as usual.
/// </summary>
public static class TelemetrySetup
{
    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime"];

    public static TelemetryExporter Parse(string? text) => text?.ToLowerInvariant() switch
    {
        null or "" or "none" => TelemetryExporter.None,
        "console" => TelemetryExporter.Console,
        "otlp" => TelemetryExporter.Otlp,
        _ => throw new ThresherInputException($"telemetry '{text}': unknown exporter; expected console, otlp or none"),
    };

    public static IServiceCollection AddThresherTelemetry(this IServiceCollection services, TelemetryExporter exporter, string serviceName)
    {
        if (exporter == TelemetryExporter.None) return services;
        string name = Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } fromEnvironment ? fromEnvironment : serviceName;
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(name))
            .WithTracing(tracing =>
            {
                tracing.AddSource(TelemetryNames.Source).AddSource(OrleansSources);
                if (exporter == TelemetryExporter.Console) tracing.AddConsoleExporter();
                else tracing.AddOtlpExporter();
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(TelemetryNames.Source, "Microsoft.Orleans");
                if (exporter == TelemetryExporter.Console)
                    metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 10_000);
                else
                    metrics.AddOtlpExporter();
            });
        return services;
    }
}
