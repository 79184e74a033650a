using System.Globalization;
using MerFactory.AuEngine.Landmarks;
using MerFactory.Testing;
using OpenCvSharp;

namespace MerFactory.AuEngine.Tests;

/// <summary>One row of <c>reference/dlib_landmarks.csv</c>: dlib 19.24's HOG face box (inclusive corners) and its 68 integer landmarks.</summary>
public sealed record DlibReferenceFace(string Image, int Face, int Left, int Top, int Right, int Bottom, Point[] Landmarks)
{
    /// <summary>The box in the <see cref="ShapePredictor"/> convention (dlib rectangle with inclusive right/bottom).</summary>
    public Rect2f Box => new(Left, Top, Right - Left + 1, Bottom - Top + 1);

    public string ImagePath => LandmarksTestData.FindImage(Image);
}

/// <summary>Shared, lazily loaded test inputs: the Debian landmark model (loaded once per test run) and the dlib reference CSV.</summary>
public static class LandmarksTestData
{
    public const string DebianLandmarkModel = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

    private static readonly Lazy<ShapePredictor> Model = new(() => ShapePredictor.Load(DebianLandmarkModel));
    private static readonly Lazy<IReadOnlyList<DlibReferenceFace>> Faces = new(ReadReference);

    public static ShapePredictor Predictor => Model.Value;

    public static IReadOnlyList<DlibReferenceFace> ReferenceFaces => Faces.Value;

    private static readonly string[] ImageFolders = ["dlib_faces", "openface_samples", "pyfeat"];

    public static string FindImage(string name)
    {
        foreach (var folder in ImageFolders)
        {
            var path = SharedData.DataPath("media", folder, name);
            if (File.Exists(path)) return path;
        }

        throw new FileNotFoundException($"Reference image {name} is in none of media/{string.Join(", media/", ImageFolders)}.");
    }

    private static IReadOnlyList<DlibReferenceFace> ReadReference()
    {
        var lines = File.ReadAllLines(SharedData.DataPath("reference", "dlib_landmarks.csv"));
        var faces = new List<DlibReferenceFace>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            int At(int i) => int.Parse(cells[i], CultureInfo.InvariantCulture);
            var points = Enumerable.Range(0, 68).Select(k => new Point(At(6 + 2 * k), At(7 + 2 * k))).ToArray();
            faces.Add(new DlibReferenceFace(cells[0], At(1), At(2), At(3), At(4), At(5), points));
        }

        return faces;
    }

    public static double Distance(Point2f a, Point2f b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));

    /// <summary>Inter-ocular distance (outer eye corners 36 and 45) used to normalise landmark errors.</summary>
    public static double InterOcular(IReadOnlyList<Point> landmarks) => Distance(landmarks[36], landmarks[45]);
}
