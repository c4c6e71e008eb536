// The standalone /chat page: its own Signaling connection, then the same panel.
import { Signaling } from '../signaling.js';
import { mount } from './panel.js';

const root = document.querySelector('[data-chat-root][data-standalone]');
const signaling = new Signaling();
window.tlc = Object.assign(window.tlc || {}, { signaling });
mount(root, signaling);
