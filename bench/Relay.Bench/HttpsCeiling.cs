namespace Relay.Bench;

/// <summary>
/// The HTTPS ceiling: a minimal Kestrel app over the same certificate that reads the same form body and
/// answers 200, and does nothing else.
/// </summary>
internal static class HttpsCeiling
{
    public static async Task RunAsync(BenchOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var url = new Uri(options.Text("url", "https://127.0.0.1:9443"));
            var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
                options.Text("cert", "config/certs/tls.crt"), options.Text("key", "config/certs/tls.key"));
            kestrel.Listen(System.Net.IPAddress.Parse(url.Host), url.Port, listen => listen.UseHttps(certificate));
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            return form.ContainsKey("RequestID") ? Results.Ok() : Results.BadRequest();
        });
        await app.RunAsync();
    }
}
