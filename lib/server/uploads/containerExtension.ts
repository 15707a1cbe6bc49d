/** Storage extension by what the probe found, never by the name the user gave the file. */
export function extensionForContainer(container: string): string {
  switch (container) {
    case 'wav':
    case 'rf64':
    case 'bw64':
      return 'wav';
    case 'aiff':
    case 'aifc':
      return 'aiff';
    case 'flac':
      return 'flac';
    case 'mp3':
      return 'mp3';
    case 'ogg':
      return 'ogg';
    case 'mp4':
      return 'm4a';
    default:
      return 'bin';
  }
}
