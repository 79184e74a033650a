using MerFactory.Dashboard.Api;
using MerFactory.Dashboard.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace MerFactory.Dashboard;

public static class DashboardEndpoints
{
    /// <summary>Token gate, same-origin writes, the embedded page, antiforgery and the REST API under <c>/api</c>.</summary>
    public static WebApplication UseMerFactoryDashboard(this WebApplication app)
    {
        app.UseMiddleware<TokenGate>();
        app.UseMiddleware<SameOriginWrites>();
        var page = new ManifestEmbeddedFileProvider(typeof(DashboardEndpoints).Assembly, "wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page });
        app.UseAntiforgery();
        var api = app.MapGroup("/api");
        RecordEndpoints.Map(api);
        LabEndpoints.Map(api);
        RunEndpoints.Map(api);
        return app;
    }
}
