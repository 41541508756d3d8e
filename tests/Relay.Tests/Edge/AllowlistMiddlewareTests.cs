using System.Net;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Relay.Edge;

/// <summary>
/// The address folding a dual-stack listener needs. Such a listener binds every interface, which the
/// integration tests do not do, so this drives the middleware itself with the address it would see.
/// </summary>
public sealed class AllowlistMiddlewareTests
{
    [Theory]
    [InlineData("::ffff:127.0.0.1", "127.0.0.1/32", true)]
    [InlineData("::ffff:13.111.20.1", "13.111.0.0/16", true)]
    [InlineData("::ffff:127.0.0.2", "127.0.0.1/32", false)]
    [InlineData("2a03:5d60::1", "2a03:5d60::/32", true)]
    [InlineData("2a03:5d61::1", "2a03:5d60::/32", false)]
    [InlineData("::ffff:127.0.0.1", "::ffff:127.0.0.1", true)]
    public async Task InvokeAsync_Address_IsFoldedBeforeMatching(string remote, string rule, bool allowed)
    {
        using var services = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = AppContext.BaseDirectory })
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddSingleton<EdgeMetrics>()
            .AddSingleton<AllowlistProvider>()
            .Configure<AllowlistOptions>(options => options.Networks.Add(rule))
            .BuildServiceProvider();
        bool reachedNext = false;
        var middleware = new AllowlistMiddleware(
            _ => { reachedNext = true; return Task.CompletedTask; },
            services.GetRequiredService<AllowlistProvider>(),
            new EdgeRefusals(TimeProvider.System, NullLogger<EdgeRefusals>.Instance),
            services.GetRequiredService<EdgeMetrics>(),
            NullLogger<AllowlistMiddleware>.Instance);
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);

        await middleware.InvokeAsync(context);

        Assert.Equal(allowed, reachedNext);
        Assert.Equal(allowed ? StatusCodes.Status200OK : StatusCodes.Status403Forbidden, context.Response.StatusCode);
        Assert.False(context.Connection.RemoteIpAddress!.IsIPv4MappedToIPv6);
    }
}
