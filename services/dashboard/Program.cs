using MerFactory.Dashboard;
using MerFactory.DashboardService;

var builder = WebApplication.CreateBuilder(args);
builder.AddDashboardService();

var app = builder.Build();
app.MapHealthChecks("/health");
app.UseMerFactoryDashboard();
app.Run();
