using System.Text;

namespace MerFactory.Export.Tests;

/// <summary>
/// Writes MER-Factory output folders (spec §7.1 layout, §7.2 JSON shapes) the way Python MER-Factory writes them:
/// 4-space indented JSON, <c>error_logs/</c> beside the record folders, OpenFace CSVs with padded headers.
/// </summary>
public static class MerOutputFixture
{
    public const string MerId = "sample_00000023";
    public const string MerFinalSummary =
        "Let's begin by dissecting the facial expressions. The lid tightener and upper lip raiser point to irritation.\nIn conclusion, the core emotional state is frustration, and the most likely cause is being asked a question he cannot answer.";
    public const string MerAudioAnalysis = "我哪知道啊？ 我也没有这方面的经验。\nSpeaker's tone: exasperated, slightly annoyed. Pitch: medium. Background noise: slight room ambience.";
    public const string MerTranscript = "我哪知道啊？ 我也没有这方面的经验。";

    public const string SecondMerId = "clip02";

    /// <summary>The §7.2 MER example (Python ensure_ascii escapes in the audio text), its AU CSV and transcript.</summary>
    public static void WriteMer(string root)
    {
        var folder = Folder(root, MerId);
        File.WriteAllText(Path.Combine(folder, $"{MerId}_merr_data.json"), """
            {
                "source_path": "/data/video/sample_00000023.mp4",
                "audio_path": "/out/sample_00000023/sample_00000023.wav",
                "chronological_emotion_peaks": [
                    "Peak at 1.20s: happy (slight)",
                    "Peak at 3.48s: angry (slight), contempt (slight)"
                ],
                "overall_peak_frame_info": {
                    "frame_number": 88,
                    "timestamp": 3.48,
                    "top_aus_intensities": {
                        "AU06_r": 1.45,
                        "AU07_r": 2.78,
                        "AU10_r": 2.62,
                        "AU12_r": 1.74,
                        "AU14_r": 1.54,
                        "AU25_r": 2.69
                    }
                },
                "coarse_descriptions_at_peak": {
                    "visual_expression": "Cheek raiser (intensity: 1.45), Lid tightener (intensity: 2.78), Upper lip raiser (intensity: 2.62), Lip corner puller (smile) (intensity: 1.74), Dimpler (intensity: 1.54), Lips part (intensity: 2.69)",
                    "visual_objective": "The main subject is a man in a white coat. A stethoscope is around his neck.",
                    "audio_analysis": "\u6211\u54ea\u77e5\u9053\u554a\uff1f \u6211\u4e5f\u6ca1\u6709\u8fd9\u65b9\u9762\u7684\u7ecf\u9a8c\u3002\nSpeaker's tone: exasperated, slightly annoyed. Pitch: medium. Background noise: slight room ambience.",
                    "video_content": "Two men are in a room. One man is facing the camera."
                },
                "final_summary": "Let's begin by dissecting the facial expressions. The lid tightener and upper lip raiser point to irritation.\nIn conclusion, the core emotional state is frustration, and the most likely cause is being asked a question he cannot answer.",
                "ground_truth_label": "angry"
            }
            """);
        // 10 frames: AU06 active (> 0.8) in 5, AU12 in exactly 1 (10 %), AU01 never, AU45 at 0.8 (not strictly above).
        var csv = new StringBuilder("frame, face_id, timestamp, confidence, success, AU01_r, AU06_r, AU12_r, AU45_r, AU01_c\n");
        for (var frame = 1; frame <= 10; frame++)
        {
            var au06 = frame <= 5 ? "1.50" : "0.20";
            var au12 = frame == 7 ? "0.95" : "0.10";
            csv.Append($"{frame}, 0, {(frame - 1) * 0.04:0.00}, 0.98, 1, 0.30, {au06}, {au12}, 0.80, 0\n");
        }
        File.WriteAllText(Path.Combine(folder, $"{MerId}.csv"), csv.ToString());
        File.WriteAllText(Path.Combine(folder, $"{MerId}_transcript.json"), $$"""{"text": "{{MerTranscript}}"}""");
    }

    /// <summary>An older-style MER output: no audio_path (the .wav lies in the folder), no AU CSV, no transcript, no label.</summary>
    public static void WriteSecondMer(string root)
    {
        var folder = Folder(root, SecondMerId);
        File.WriteAllText(Path.Combine(folder, $"{SecondMerId}_merr_data.json"), """
            {
                "source_path": "/data/video/clip02.avi",
                "chronological_emotion_peaks": [
                    "Peak at 0.50s: surprise (moderate)"
                ],
                "overall_peak_frame_info": {
                    "frame_number": 12,
                    "timestamp": 2.0,
                    "top_aus_intensities": {
                        "AU05_r": 1.2,
                        "AU26_r": 2.0
                    }
                },
                "coarse_descriptions_at_peak": {
                    "visual_expression": "Upper lid raiser (intensity: 1.20), Jaw drop (intensity: 2.00)",
                    "visual_objective": "N/A",
                    "audio_analysis": "The audio transcript is: 'Oh!'",
                    "video_content": ""
                },
                "final_summary": "The widened eyes and dropped jaw show surprise."
            }
            """);
        File.WriteAllBytes(Path.Combine(folder, $"{SecondMerId}.wav"), [0x52, 0x49, 0x46, 0x46]);
    }

    public static void WriteAu(string root, string id = "default", string source = "/data/video/default.wmv")
    {
        var folder = Folder(root, id);
        File.WriteAllText(Path.Combine(folder, $"{id}_au_analysis.json"), $$"""
            {
                "source_path": "{{source}}",
                "chronological_emotion_peaks": [
                    "Peak at 10.20s: disgust (slight)",
                    "Peak at 11.73s: surprise (slight)"
                ],
                "overall_peak_au_description": "Lips part (intensity: 1.94), Jaw drop (intensity: 2.08)"
            }
            """);
    }

    public static void WriteAudio(string root, string id = "speech01", string source = "/data/audio/speech01.wav")
    {
        var folder = Folder(root, id);
        File.WriteAllText(Path.Combine(folder, $"{id}_audio_analysis.json"), $$"""
            {
                "source_path": "{{source}}",
                "audio_analysis": "And so my fellow Americans.\nSpeaker's tone: solemn, firm."
            }
            """);
    }

    public static void WriteVideo(string root, string id = "clip03", string source = "/data/video/clip03.mp4")
    {
        var folder = Folder(root, id);
        File.WriteAllText(Path.Combine(folder, $"{id}_video_analysis.json"), $$"""
            {
                "source_path": "{{source}}",
                "llm_video_summary": "Two men are in a room. \"Why?\" one asks, pointing at the screen."
            }
            """);
    }

    public static void WriteImage(string root, string id = "face01", string source = "/data/images/face01.jpg")
    {
        var folder = Folder(root, id);
        File.WriteAllText(Path.Combine(folder, $"{id}_image_analysis.json"), $$"""
            {
                "source_path": "{{source}}",
                "au_text_description": "Cheek raiser (intensity: 1.45), Lip corner puller (smile) (intensity: 1.74)",
                "llm_au_description": "The person appears to be smiling gently.",
                "image_visual_description": "A young woman with shoulder-length hair, outdoors.",
                "final_summary": "In conclusion, the most likely emotional state is happiness, based on the smile.",
                "ground_truth_label": "happy"
            }
            """);
    }

    /// <summary>What Python MER-Factory leaves beside record folders.</summary>
    public static void WriteRunLeftovers(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "error_logs"));
        File.WriteAllText(Path.Combine(root, "error_logs", "broken_error.log"), "Traceback ...");
        Directory.CreateDirectory(Path.Combine(root, ".llm_cache"));
    }

    /// <summary>A folder with one record of every type and the run leftovers.</summary>
    public static void WriteAll(string root)
    {
        WriteMer(root);
        WriteSecondMer(root);
        WriteAu(root);
        WriteAudio(root);
        WriteVideo(root);
        WriteImage(root);
        WriteRunLeftovers(root);
    }

    public static void WritePromptFile(string path) => File.WriteAllText(path, """
        {
            "facial_expression_description": "unused by export",
            "user_questions": {
                "mer": ["Q-mer"],
                "image": ["Q-image"],
                "au": ["Q-au"],
                "audio": ["Q-audio"],
                "video": ["Q-video"]
            }
        }
        """);

    public static string Folder(string root, string id)
    {
        var folder = Path.Combine(root, id);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
